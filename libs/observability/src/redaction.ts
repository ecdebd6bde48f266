/**
 * Paths pino removes from every log line. Credentials are never logged on purpose; this list is
 * the net under that rule (headers of incoming requests, and any object that carries a secret field).
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'cookie',
  'password',
  'client_secret',
  'clientSecret',
  'access_token',
  'accessToken',
  'airbnb_cookie',
  'webhook_password',
  '*.cookie',
  '*.Cookie',
  '*.password',
  '*.client_secret',
  '*.clientSecret',
  '*.access_token',
  '*.accessToken',
  '*.airbnb_cookie',
  '*.webhook_password',
  '*.headers.cookie',
  '*.headers.Cookie',
  '*.headers.authorization',
  '*.headers.Authorization',
];
