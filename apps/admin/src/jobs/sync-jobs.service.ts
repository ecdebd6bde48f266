import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { sourceByName } from '@staysync/sources';
import { OutboxMessage, SyncJob, type JobStatus, type SyncMode, type SyncTrigger } from '@staysync/db';

export interface SyncRequest {
  source: string;
  accountId: string;
  mode: SyncMode;
  trigger: SyncTrigger;
  window?: { start: string; end: string };
}

export interface JobFilter {
  source?: string;
  accountId?: string;
  status?: JobStatus;
  limit: number;
}

@Injectable()
export class SyncJobsService {
  constructor(private readonly em: EntityManager) {}

  /**
   * Queues a job and its `sync.commands.v1` command in one transaction. While the account already
   * has an unfinished job, that job is returned instead (a partial unique index backs this up).
   */
  async requestSync(
    request: SyncRequest,
    em: EntityManager = this.em,
  ): Promise<{ job: SyncJob; created: boolean }> {
    const existing = await this.activeJob(request.source, request.accountId, em);
    if (existing) return { job: existing, created: false };
    try {
      const job = await em.transactional(async (tx) => {
        const created = this.queueJob(tx, request);
        await tx.flush();
        return created;
      });
      return { job, created: true };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const raced = await this.activeJob(request.source, request.accountId, em);
      if (!raced) throw error;
      return { job: raced, created: false };
    }
  }

  /** Adds the job and its command to the caller's unit of work (used inside account transactions). */
  queueJob(em: EntityManager, request: SyncRequest): SyncJob {
    const job = em.create(SyncJob, {
      id: randomUUID(),
      source: request.source,
      accountId: request.accountId,
      mode: request.mode,
      trigger: request.trigger,
      status: 'queued',
    } as never);
    const command = {
      schemaVersion: 1,
      jobId: job.id,
      source: request.source,
      accountId: request.accountId,
      mode: request.mode,
      trigger: request.trigger,
      ...(request.window ? { window: request.window } : {}),
      requestedAt: new Date().toISOString(),
    };
    em.persist(
      em.create(OutboxMessage, {
        topic: 'sync.commands',
        key: `${request.source}:${request.accountId}`,
        value: command,
        headers: {},
      } as never),
    );
    return job;
  }

  activeJob(source: string, accountId: string, em: EntityManager = this.em): Promise<SyncJob | null> {
    return em.findOne(SyncJob, { source, accountId, status: { $in: ['queued', 'running'] } });
  }

  get(id: string): Promise<SyncJob | null> {
    return this.em.findOne(SyncJob, { id });
  }

  /**
   * Responses the loader has stored for the job, per progress resource (an envelope's resourceId, else
   * its operation), so GET /jobs/{id} shows planned / fetched / loaded / failed side by side.
   */
  async loadedByResource(job: SyncJob): Promise<Record<string, number>> {
    if (!sourceByName(job.source)) return {};
    const rows = await this.em.getConnection().execute<Array<{ resource: string; loaded: number }>>(
      `SELECT COALESCE(resource_id, operation) AS resource, count(DISTINCT request_key)::int AS loaded
         FROM ${job.source}.raw_responses WHERE job_id = ? AND parser_version IS NOT NULL GROUP BY 1`,
      [job.id],
    );
    return Object.fromEntries(rows.map((r) => [r.resource, r.loaded]));
  }

  list(filter: JobFilter): Promise<SyncJob[]> {
    return this.em.find(
      SyncJob,
      {
        ...(filter.source ? { source: filter.source } : {}),
        ...(filter.accountId ? { accountId: filter.accountId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      },
      { orderBy: { createdAt: 'desc' }, limit: filter.limit },
    );
  }
}

/** The job as the API shows it; with `loaded` per resource when given (the detail view). */
export function jobView(job: SyncJob, loadedByResource?: Record<string, number>) {
  const progress = loadedByResource
    ? Object.fromEntries(
        Object.entries(job.progress ?? {}).map(([resource, p]) => [
          resource,
          { ...(p as object), loaded: loadedByResource[resource] ?? 0 },
        ]),
      )
    : job.progress;
  return {
    id: job.id,
    source: job.source,
    account_id: job.accountId,
    mode: job.mode,
    trigger: job.trigger,
    status: job.status,
    scrape_date: job.scrapeDate,
    counts: {
      planned: job.planned,
      fetched: job.fetched,
      loaded: job.loaded,
      failed: job.failed,
      dead_lettered: job.deadLettered,
      data_responses: job.dataResponses,
      data_rows: job.dataRows,
    },
    progress,
    errors: job.errors,
    notes: job.notes,
    error: job.error,
    created_at: job.createdAt.toISOString(),
    started_at: job.startedAt?.toISOString() ?? null,
    fetch_completed_at: job.fetchCompletedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
  };
}
