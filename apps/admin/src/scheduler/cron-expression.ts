import { validateCronExpression } from 'cron';

/** A cron expression the scheduler can run: 5 fields (minute precision) or 6 (seconds first), UTC. */
export function isSyncCron(value: unknown): boolean {
  return typeof value === 'string' && /^\s*(\S+\s+){4,5}\S+\s*$/.test(value) && validateCronExpression(value.trim()).valid;
}

/** One spelling per schedule, so accounts with the same expression share one cron. */
export function normalizeCron(expression: string): string {
  return expression.trim().split(/\s+/).join(' ');
}
