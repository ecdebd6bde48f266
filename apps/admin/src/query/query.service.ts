import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { PG_POOL } from '@staysync/db';
import { ProblemException } from '../http/problem.filter';
import { buildQuery, UnknownMetricError, type BuiltQuery, type QueryFilters } from './query-sql';
import type { QueryTable } from './query-tables';
import {
  decodeCursor,
  encodeCursor,
  maskSensitive,
  READ_TYPES,
  rowEncoder,
  type ExportFormat,
} from './row-format';

/** rows the export cursor fetches per round trip (and buffers at most, with the stream's high-water mark) */
const EXPORT_BATCH_ROWS = 500;

export interface Page {
  items: Array<Record<string, unknown>>;
  next_cursor: string | null;
}

@Injectable()
export class QueryService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** One JSON page in key order; `next_cursor` continues after its last row (null on the last page). */
  async page(table: QueryTable, filters: QueryFilters, limit: number, cursor?: string): Promise<Page> {
    const probe = this.build(table, filters, { limit: 1 });
    let after: string[] | undefined;
    if (cursor) {
      after = decodeCursor(cursor, probe.cursorColumns.length) ?? undefined;
      if (!after)
        throw new ProblemException(400, 'Bad Request', 'cursor is not valid for this query', [
          { field: 'cursor', message: 'not a cursor of this query' },
        ]);
    }
    // one row more than asked tells whether another page exists
    const query = this.build(table, filters, { after, limit: limit + 1 });
    const { rows } = await this.pool.query<Record<string, unknown>>({
      text: query.text,
      values: query.values,
      types: READ_TYPES,
    });
    const items = rows.slice(0, limit).map((row) => maskSensitive(row) as Record<string, unknown>);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: rows.length > limit && last ? encodeCursor(query.cursorColumns.map((c) => last[c])) : null,
    };
  }

  /**
   * Streams every matching row to `out` through a server-side cursor: the database sends the next batch
   * only when the response has drained the previous one, so memory stays flat whatever the row count.
   */
  async export(
    table: QueryTable,
    filters: QueryFilters,
    format: ExportFormat,
    out: Writable,
    beforeFirstByte: (columns: string[]) => void,
  ): Promise<void> {
    const query = this.build(table, filters);
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      const rows = client.query(
        new QueryStream(query.text, query.values, {
          batchSize: EXPORT_BATCH_ROWS,
          highWaterMark: EXPORT_BATCH_ROWS,
          types: READ_TYPES,
        }),
      );
      beforeFirstByte(query.columns);
      await pipeline(rows, rowEncoder(format, query.columns), out);
    } catch (error) {
      failure = error as Error;
      throw error;
    } finally {
      // a connection left mid-cursor (client went away) is discarded rather than reused
      client.release(failure);
    }
  }

  private build(
    table: QueryTable,
    filters: QueryFilters,
    page?: { after?: string[]; limit: number },
  ): BuiltQuery {
    try {
      return buildQuery(table, filters, page);
    } catch (error) {
      if (error instanceof UnknownMetricError)
        throw new ProblemException(400, 'Bad Request', error.message, [
          { field: 'metrics', message: error.message },
        ]);
      throw new ProblemException(400, 'Bad Request', (error as Error).message);
    }
  }
}
