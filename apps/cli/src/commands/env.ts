import { parseEnv, url } from '@staysync/config';

export function databaseUrlFromEnv(env = process.env): string {
  return parseEnv({ DATABASE_URL: url(['postgres', 'postgresql']) }, env).DATABASE_URL;
}
