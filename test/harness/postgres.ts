import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const ROOT = join(__dirname, '../..');

/**
 * Migrates a database with `npm run migrate`'s command. The migrations are the core's plus each
 * registered source's, and jest's global setup cannot load the registry (it resolves no @staysync/*
 * path), so the migrate command does it in its own process (~3 s).
 */
async function migrateWithCli(url: string): Promise<void> {
  try {
    await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/cli/src/main.ts', 'migrate'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: url },
      },
    );
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run migrate failed on ${url}: ${String(error)}\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** `postgres://…/<name>` with the database name swapped. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdminClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Migrated once per run; test files clone it (CREATE DATABASE … TEMPLATE is a file copy: ~100 ms). */
export async function prepareTemplateDatabase(url: string): Promise<string> {
  const name = `staysync_tpl_${randomBytes(4).toString('hex')}`;
  await withAdminClient(url, (c) => c.query(`CREATE DATABASE ${name}`));
  await migrateWithCli(withDatabase(url, name));
  return name;
}

export async function dropDatabase(url: string, name: string): Promise<void> {
  await withAdminClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL!;
  const template = process.env.STAYSYNC_TEST_TEMPLATE_DB;
  const name = `staysync_t_${randomBytes(5).toString('hex')}`;
  const migrated = options.migrated ?? true;
  await withAdminClient(adminUrl, async (c) => {
    // CREATE DATABASE … TEMPLATE fails if another session is connected to the template at that moment
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(
          migrated && template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`,
        );
        return;
      } catch (error) {
        if (attempt >= 20 || (error as { code?: string }).code !== '55006') throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  const url = withDatabase(adminUrl, name);
  if (migrated && !template) await migrateWithCli(url);
  return { name, url, drop: () => dropDatabase(adminUrl, name) };
}
