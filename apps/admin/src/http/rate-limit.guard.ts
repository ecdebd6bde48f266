import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AdminConfig } from '@staysync/config';
import type { AuthenticatedRequest } from './api-key.guard';
import { ProblemException } from './problem.filter';
import { PUBLIC_ROUTE } from './public-route';

const OPERATIONS_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * Two fixed-window limits (@nestjs/throttler), checked after the API key guard:
 * - `key`: requests per API key, whichever IP they come from;
 * - `ip`: requests per client IP, whichever key they carry.
 * Routes that authenticate themselves (the Hostaway webhook, which must take Hostaway's bursts) and the
 * operations endpoints are not limited here; failed authentication is limited for every route by
 * AuthFailureLimiter.
 */
export function rateLimitOptions(config: AdminConfig): ThrottlerModuleOptions {
  const { windowMs, perKey, perIp } = config.rateLimits;
  return {
    // one budget per key / IP across all routes (the library's default key is per route)
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    throttlers: [
      {
        name: 'key',
        ttl: windowMs,
        limit: perKey,
        getTracker: (req) => (req as AuthenticatedRequest).apiKeyName ?? '',
        skipIf: (context) => !context.switchToHttp().getRequest<AuthenticatedRequest>().apiKeyName,
      },
      {
        name: 'ip',
        ttl: windowMs,
        limit: perIp,
        skipIf: (context) =>
          OPERATIONS_PATHS.has(context.switchToHttp().getRequest<AuthenticatedRequest>().path),
      },
    ],
  };
}

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return (
      context.getType() !== 'http' ||
      this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]) ===
        true
    );
  }

  /** 429 as problem+json with the standard Retry-After (the library names it per throttler). */
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    res.setHeader('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    const who = detail.key.startsWith('key:') ? 'API key' : 'client IP';
    throw new ProblemException(
      429,
      'Too Many Requests',
      `more than ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s for this ${who}; retry after ${detail.timeToBlockExpire} s`,
    );
  }
}
