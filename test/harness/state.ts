import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HARNESS_STATE_FILE = join(tmpdir(), `staysync-jest-harness-${process.ppid}-${process.pid}.json`);
