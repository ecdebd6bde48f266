import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { constantTimeEqual } from '@staysync/crypto';
import { ProblemException } from './problem.filter';
import { PUBLIC_ROUTE } from './public-route';

export const API_KEYS = Symbol('API_KEYS');
export interface ApiKey {
  name: string;
  key: string;
}

const PUBLIC_PATHS = new Set(['/health', '/ready', '/metrics']);

/** `X-API-Key: <key>` or `Authorization: Bearer <key>` on everything but the operations endpoints. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKey[],
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request & { apiKeyName?: string }>();
    if (PUBLIC_PATHS.has(req.path)) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const presented = this.presentedKey(req);
    if (!presented) throw new ProblemException(401, 'Unauthorized', 'an API key is required (X-API-Key header)');
    // compare against every key so the time taken does not reveal which one matched
    let match: ApiKey | undefined;
    for (const candidate of this.keys) if (constantTimeEqual(presented, candidate.key)) match ??= candidate;
    if (!match) throw new ProblemException(401, 'Unauthorized', 'the API key is not valid');
    req.apiKeyName = match.name;
    return true;
  }

  private presentedKey(req: Request): string | undefined {
    const header = req.headers['x-api-key'];
    if (typeof header === 'string' && header) return header;
    const auth = req.headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  }
}
