import { Inject, Injectable } from '@nestjs/common';
import { getStorageToken, type ThrottlerStorage } from '@nestjs/throttler';
import type { NextFunction, Request, Response } from 'express';
import type { AdminConfig } from '@staysync/config';
import { ADMIN_CONFIG } from '../admin-config';

const THROTTLER = 'auth-failures';

/**
 * A much lower limit on failed authentication, per client IP, so keys and webhook passwords cannot be
 * guessed: every 401 the API answers (a wrong or missing API key, wrong webhook Basic credentials) counts;
 * past AUTH_FAILURE_LIMIT within AUTH_FAILURE_WINDOW_MS the IP gets 429 + Retry-After on every route
 * for AUTH_FAILURE_BLOCK_MS. Successful requests never count, so Hostaway's webhook bursts pass.
 * Counting uses @nestjs/throttler's storage (the same one as the request limits).
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    @Inject(getStorageToken()) private readonly storage: ThrottlerStorage,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
  ) {}

  /** Express middleware: answers 429 while the caller's IP is blocked, and counts the 401s it gets. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const ip = req.ip ?? 'unknown';
      const retryAfter = this.secondsBlocked(ip);
      if (retryAfter > 0) {
        res
          .status(429)
          .setHeader('Retry-After', String(retryAfter))
          .type('application/problem+json')
          .send(
            JSON.stringify({
              type: 'about:blank',
              title: 'Too Many Requests',
              status: 429,
              detail: `too many failed authentications from this address; retry after ${retryAfter} s`,
              instance: req.originalUrl,
            }),
          );
        return;
      }
      res.on('finish', () => {
        if (res.statusCode === 401) void this.recordFailure(ip);
      });
      next();
    };
  }

  private secondsBlocked(ip: string): number {
    const until = this.blockedUntil.get(ip);
    if (until === undefined) return 0;
    if (until <= Date.now()) {
      this.blockedUntil.delete(ip);
      return 0;
    }
    return Math.ceil((until - Date.now()) / 1000);
  }

  private async recordFailure(ip: string): Promise<void> {
    const { authFailures, authFailureWindowMs, authFailureBlockMs } = this.config.rateLimits;
    // the limit-th failure is still answered 401; from the next request on the address is blocked
    const record = await this.storage.increment(
      `${THROTTLER}:${ip}`,
      authFailureWindowMs,
      authFailures - 1,
      authFailureBlockMs,
      THROTTLER,
    );
    if (record.isBlocked) this.blockedUntil.set(ip, Date.now() + record.timeToBlockExpire * 1000);
  }
}
