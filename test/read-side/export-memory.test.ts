import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../harness';

const ROWS = Number(process.env.STAYSYNC_EXPORT_ROWS ?? 1_000_000);

/**
 * A 1-million-row CSV export through the real admin (its own process, so the heap is the admin's
 * alone) must not grow its heap by more than a few MB: the cursor and the response's backpressure
 * hold only a few batches at a time. The figures are kept in artifacts/read-side/export-memory.json.
 */
describe('read side > export memory (PostgreSQL)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it(`streams ${ROWS} rows with a flat heap`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '-r', '@swc-node/register', 'test/read-side/export-memory.ts', String(ROWS)],
      {
        env: { ...process.env, DATABASE_URL: db.url },
        maxBuffer: 1024 * 1024,
      },
    );
    const figures = JSON.parse(stdout.trim().split('\n').pop()!) as {
      rows: number;
      heapRetainedGrowthMB: number;
      heapPeakGrowthMB: number;
    };
    mkdirSync('artifacts/read-side', { recursive: true });
    writeFileSync('artifacts/read-side/export-memory.json', `${JSON.stringify(figures, null, 2)}\n`);
    expect(figures.rows).toBe(ROWS);
    expect(figures.heapRetainedGrowthMB).toBeLessThan(8);
    expect(figures.heapPeakGrowthMB).toBeLessThan(48);
  }, 600_000);
});
