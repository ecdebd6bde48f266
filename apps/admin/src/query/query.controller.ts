import { Controller, Get, Logger, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DEFAULT_PAGE_LIMIT } from '../http/page-limit.query';
import { ProblemException } from '../http/problem.filter';
import {
  AirbnbListingsQuery,
  HostawayListingsQuery,
  HostawayMessagesQuery,
  HostawayReservationsQuery,
  MetricsQuery,
  ReadQuery,
} from './query.dto';
import type { QueryFilters } from './query-sql';
import { DEAD_LETTERS, readTable, snapshotTablesOf, type QueryTable } from './query-tables';
import { QueryService } from './query.service';
import { CONTENT_TYPES } from './row-format';

const METRIC_TABLES = snapshotTablesOf('airbnb');
const AIRBNB_LISTINGS = readTable('airbnb_listings');
const HOSTAWAY_LISTINGS = readTable('hostaway_listings');
const HOSTAWAY_RESERVATIONS = readTable('hostaway_reservations');
const HOSTAWAY_MESSAGES = readTable('hostaway_messages');

/**
 * Read and export API over the loaded tables: `format=json` answers one keyset page, `csv`/`ndjson`
 * stream the whole result as a download. Thin: filters are mapped here, SQL is built in query-sql.ts.
 */
@ApiTags('query')
@ApiSecurity('api-key')
@Controller('api/v1')
export class QueryController {
  private readonly logger = new Logger('Query');

  constructor(private readonly query: QueryService) {}

  @Get('airbnb/metrics/:table')
  async metrics(@Param('table') name: string, @Query() q: MetricsQuery, @Res() res: Response) {
    const table = METRIC_TABLES[name];
    if (!table)
      throw new ProblemException(
        404,
        'Not Found',
        `no metric table "${name}"; one of ${Object.keys(METRIC_TABLES).join(', ')}`,
      );
    await this.answer(
      table,
      q,
      {
        accountId: q.account_id,
        listingIds: q.listing_id,
        from: q.from,
        to: q.to,
        asOf: q.as_of,
        metrics: q.metrics,
      },
      res,
    );
  }

  @Get('airbnb/listings')
  async airbnbListings(@Query() q: AirbnbListingsQuery, @Res() res: Response) {
    await this.answer(AIRBNB_LISTINGS, q, { accountId: q.account_id }, res);
  }

  @Get('hostaway/listings')
  async hostawayListings(@Query() q: HostawayListingsQuery, @Res() res: Response) {
    await this.answer(HOSTAWAY_LISTINGS, q, { accountId: q.account_id }, res);
  }

  @Get('hostaway/reservations')
  async hostawayReservations(@Query() q: HostawayReservationsQuery, @Res() res: Response) {
    await this.answer(
      HOSTAWAY_RESERVATIONS,
      q,
      { accountId: q.account_id, listingIds: q.listing_id, from: q.from, to: q.to, status: q.status },
      res,
    );
  }

  @Get('hostaway/messages')
  async hostawayMessages(@Query() q: HostawayMessagesQuery, @Res() res: Response) {
    await this.answer(
      HOSTAWAY_MESSAGES,
      q,
      { accountId: q.account_id, from: q.from, to: q.to, status: q.status },
      res,
    );
  }

  @Get('jobs/:id/dead-letters')
  async deadLetters(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() q: ReadQuery,
    @Res() res: Response,
  ) {
    await this.answer(DEAD_LETTERS, q, { jobId: id }, res);
  }

  private async answer(table: QueryTable, q: ReadQuery, filters: QueryFilters, res: Response): Promise<void> {
    const format = q.format ?? 'json';
    if (format === 'json') {
      res.json(await this.query.page(table, filters, q.limit ?? DEFAULT_PAGE_LIMIT, q.cursor));
      return;
    }
    try {
      await this.query.export(table, filters, format, res, () => {
        res.status(200);
        res.setHeader('Content-Type', CONTENT_TYPES[format]);
        res.setHeader('Content-Disposition', `attachment; filename="${table.name}.${format}"`);
      });
    } catch (error) {
      // before the first byte the problem filter answers; after it the download can only be cut short
      if (!res.headersSent) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        this.logger.warn({ err: error, table: table.name }, 'export failed mid-stream');
      res.destroy();
    }
  }
}
