import { z, type ZodRawShape } from 'zod';

/** Raised at start-up when the environment is incomplete or malformed; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Parses the environment against a shape whose keys are the variable names. */
export function parseEnv<S extends ZodRawShape>(shape: S, env: Env): z.infer<z.ZodObject<S>> {
  const cleaned = Object.fromEntries(
    Object.keys(shape).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const result = z.object(shape).safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return env[name] === undefined ? `${name} is required (${issue.message})` : `${name}: ${issue.message}`;
    }),
  );
}

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const int = (fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce
    .number({ message: 'expected an integer' })
    .int('expected an integer')
    .min(min)
    .max(max)
    .default(fallback);

export const list = (fallback?: string) =>
  (fallback === undefined ? z.string() : z.string().default(fallback)).transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const url = (protocols: string[]) =>
  z
    .string()
    .url('expected a URL')
    // zod runs refinements after a failed .url() too: an unparseable value must not throw here
    .refine(
      (v) => !URL.canParse(v) || protocols.includes(new URL(v).protocol.replace(':', '')),
      `expected a ${protocols.join('/')} URL`,
    );
