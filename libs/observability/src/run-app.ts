import { ConfigError } from '@staysync/core';

interface Closable {
  close(): Promise<void>;
}

/**
 * Entry-point wiring shared by the three apps: load and validate configuration (a bad variable
 * stops the process with a message naming it), start, and exit non-zero on a start-up failure.
 * Graceful shutdown on SIGTERM/SIGINT comes from Nest's enableShutdownHooks in each app,
 * bounded by SHUTDOWN_TIMEOUT_MS.
 */
export function runApp<C extends { shutdownTimeoutMs: number }>(
  name: string,
  loadConfig: () => C,
  start: (config: C) => Promise<Closable>,
): void {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  start(config)
    .then(() => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          // Nest runs the shutdown hooks; this only bounds how long they may take
          setTimeout(() => {
            process.stderr.write(
              `${name}: shutdown did not finish within ${config.shutdownTimeoutMs} ms, exiting\n`,
            );
            process.exit(1);
          }, config.shutdownTimeoutMs).unref();
        });
      }
    })
    .catch((error: unknown) => {
      process.stderr.write(`${name}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    });
}
