import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS } from './redaction';

export type { Logger } from 'pino';

/** JSON logger for scripts and non-HTTP code paths; the HTTP apps get the same options through nestjs-pino. */
export function createLogger(options: {
  service: string;
  level?: string;
  destination?: DestinationStream;
}): Logger {
  return pino(loggerOptions(options), options.destination);
}

export function loggerOptions(options: { service: string; level?: string }): pino.LoggerOptions {
  return {
    level: options.level ?? 'info',
    base: { service: options.service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
}
