/** A dependency the service needs to do its work; `/ready` answers 503 while any check fails. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'up' | 'down'; error?: string; ms: number }>;
}

export async function runReadinessChecks(
  checks: ReadinessCheck[],
  timeoutMs = 3000,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async (readiness) => {
      const { name } = readiness;
      const started = Date.now();
      try {
        await withTimeout(readiness.check(), timeoutMs, name);
        return [name, { status: 'up' as const, ms: Date.now() - started }] as const;
      } catch (error) {
        return [
          name,
          { status: 'down' as const, error: (error as Error).message, ms: Date.now() - started },
        ] as const;
      }
    }),
  );
  const report = Object.fromEntries(entries) as ReadinessReport['checks'];
  return { status: entries.every(([, r]) => r.status === 'up') ? 'ok' : 'unavailable', checks: report };
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} check timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
