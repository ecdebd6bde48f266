import type { RequestWindow } from '@staysync/core';
import schema from './schema.json';

export { schema as syncCommandSchema };

export type SyncMode = 'backfill' | 'incremental' | 'full';
export type SyncTrigger = 'schedule' | 'manual' | 'startup' | 'webhook' | 'replay';

/** Value of `sync.commands.v1` (mirrors ./schema.json). */
export interface SyncCommand {
  schemaVersion: 1;
  jobId: string;
  source: string;
  accountId: string;
  mode: SyncMode;
  trigger: SyncTrigger;
  /** inclusive YYYY-MM-DD range; absent = the mode's default window */
  window?: RequestWindow;
  /** ISO-8601 */
  requestedAt: string;
  /** source-specific knobs, no secrets */
  options?: Record<string, unknown>;
}

/** `source:accountId`: one account's commands go to one partition, so one fetcher works an account at a time. */
export function syncCommandKey(command: Pick<SyncCommand, 'source' | 'accountId'>): string {
  return `${command.source}:${command.accountId}`;
}

export const exampleSyncCommand: SyncCommand = {
  schemaVersion: 1,
  jobId: '6f1c2a9e-3d4b-4c5d-8e7f-9a0b1c2d3e4f',
  source: 'airbnb',
  accountId: 'acc-42',
  mode: 'incremental',
  trigger: 'schedule',
  window: { start: '2024-04-01', end: '2024-04-30' },
  requestedAt: '2024-05-01T05:00:00.000Z',
};
