import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { ApiKeyScope } from '@staysync/config';
import { constantTimeEqual } from '@staysync/crypto';
import { ProblemException } from './problem.filter';
import { PUBLIC_ROUTE } from './public-route';

export const API_KEYS = Symbol('API_KEYS');
export interface ApiKey {
  name: string;
  key: string;
  scope: ApiKeyScope;
}

export const REQUIRED_SCOPE = 'staysync:required-scope';
/** Overrides the scope a route needs (by default: `read` for GET/HEAD, `admin` for everything else). */
export const RequiredScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** The request after authentication: which key, and what it may do. */
export type AuthenticatedRequest = Request & { apiKeyName?: string; apiKeyScope?: ApiKeyScope };

const PUBLIC_PATHS = new Set(['/health', '/ready', '/metrics']);
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * `X-API-Key: <key>` or `Authorization: Bearer <key>` on everything but the operations endpoints.
 * A `read` key may query, export and view (GET); changing anything needs an `admin` key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKey[],
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (PUBLIC_PATHS.has(req.path)) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const presented = this.presentedKey(req);
    if (!presented)
      throw new ProblemException(401, 'Unauthorized', 'an API key is required (X-API-Key header)');
    // compare against every key so the time taken does not reveal which one matched
    let match: ApiKey | undefined;
    for (const candidate of this.keys) if (constantTimeEqual(presented, candidate.key)) match ??= candidate;
    if (!match) throw new ProblemException(401, 'Unauthorized', 'the API key is not valid');
    req.apiKeyName = match.name;
    req.apiKeyScope = match.scope;
    const required =
      this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets) ??
      (READ_METHODS.has(req.method) ? 'read' : 'admin');
    if (required === 'admin' && match.scope !== 'admin')
      throw new ProblemException(
        403,
        'Forbidden',
        `the API key "${match.name}" has the ${match.scope} scope; this operation needs admin`,
      );
    return true;
  }

  private presentedKey(req: Request): string | undefined {
    const header = req.headers['x-api-key'];
    if (typeof header === 'string' && header) return header;
    const auth = req.headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  }
}
