import type { FetchProgress } from '@staysync/core';

export interface ResourceProgress {
  planned: number;
  fetched: number;
  failed: number;
  error?: string;
}

export interface JobError {
  resourceId: string;
  message: string;
  at: string;
}

export interface ProgressSnapshot {
  planned: number;
  fetched: number;
  failed: number;
  /** per resource (listing) */
  progress: Record<string, ResourceProgress>;
  /** the first MAX_RECORDED_ERRORS errors */
  errors: JobError[];
  /** remarks from the source (e.g. what an incremental sync could not narrow) */
  notes: string[];
}

export const MAX_RECORDED_ERRORS = 50;

/**
 * In-memory counters of one running job; the job runner flushes snapshots to ops.sync_jobs on a timer,
 * so the fetch loop never waits on the database. Error texts are the classified errors' messages,
 * which never carry credentials (the client keeps the cookie out of them).
 */
export class JobProgress implements FetchProgress {
  private readonly resources = new Map<string, ResourceProgress>();
  private readonly errors: JobError[] = [];
  private readonly notes: string[] = [];
  /** request keys published since the last flush took them */
  private unsavedKeys: string[] = [];

  planned(resourceId: string, count: number): void {
    this.resource(resourceId).planned += count;
  }

  fetched(resourceId: string, count = 1): void {
    this.resource(resourceId).fetched += count;
  }

  failed(resourceId: string, error: unknown): void {
    const message = errorMessage(error);
    const resource = this.resource(resourceId);
    resource.failed += 1;
    resource.error = message;
    if (this.errors.length < MAX_RECORDED_ERRORS)
      this.errors.push({ resourceId, message, at: new Date().toISOString() });
  }

  /** The envelopes of these request keys are on the raw topic (acknowledged by the broker). */
  published(requestKeys: string[]): void {
    for (const key of requestKeys) this.unsavedKeys.push(key);
  }

  /** The keys published since the last call, for the flush to persist; `putBack` returns them after a failed write. */
  takePublished(): string[] {
    const keys = this.unsavedKeys;
    this.unsavedKeys = [];
    return keys;
  }

  putBack(requestKeys: string[]): void {
    this.unsavedKeys = requestKeys.concat(this.unsavedKeys);
  }

  note(message: string): void {
    if (!this.notes.includes(message)) this.notes.push(message);
  }

  snapshot(): ProgressSnapshot {
    const progress: Record<string, ResourceProgress> = {};
    let planned = 0;
    let fetched = 0;
    let failed = 0;
    for (const [id, resource] of this.resources) {
      progress[id] = { ...resource };
      planned += resource.planned;
      fetched += resource.fetched;
      failed += resource.failed;
    }
    return { planned, fetched, failed, progress, errors: [...this.errors], notes: [...this.notes] };
  }

  private resource(id: string): ResourceProgress {
    let resource = this.resources.get(id);
    if (!resource) {
      resource = { planned: 0, fetched: 0, failed: 0 };
      this.resources.set(id, resource);
    }
    return resource;
  }
}

export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}
