import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet) on every answer. The dashboard and the API get a strict
 * Content-Security-Policy: scripts, styles, data and images from this origin only, nothing inline, no
 * framing. Swagger UI (/docs) ships an inline <style>, so it keeps helmet's default policy.
 */
export const STRICT_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  manifestSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
};

export function securityHeaders() {
  const strict = helmet({ contentSecurityPolicy: { useDefaults: false, directives: STRICT_CSP } });
  const docs = helmet();
  return (req: Request, res: Response, next: NextFunction) =>
    (req.path === '/docs' || req.path.startsWith('/docs/') ? docs : strict)(req, res, next);
}
