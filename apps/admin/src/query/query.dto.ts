import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageLimitQuery } from '../http/page-limit.query';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const asList = ({ value }: { value: unknown }) =>
  value === undefined
    ? undefined
    : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).filter(Boolean);

export const FORMATS = ['json', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

/** Shared by every read endpoint: account, format and page. */
export class ReadQuery extends PageLimitQuery {
  @ApiPropertyOptional({
    enum: FORMATS,
    default: 'json',
    description: 'json: one page (cursor-paginated); csv / ndjson: the whole result, streamed as a download',
  })
  @IsOptional()
  @IsIn(FORMATS)
  format?: Format;

  @ApiPropertyOptional({ description: 'next_cursor of the previous JSON page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;
}

class DateRangeQuery extends ReadQuery {
  @ApiPropertyOptional({ description: 'first day, inclusive (YYYY-MM-DD)', example: '2026-11-01' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a day (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'last day, inclusive (YYYY-MM-DD)', example: '2026-11-30' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a day (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  to?: string;
}

export class AirbnbListingsQuery extends ReadQuery {
  @ApiPropertyOptional({ example: '6001' })
  @IsOptional()
  @Matches(/^[0-9]{1,32}$/, { message: 'account_id must be a numeric id' })
  account_id?: string;
}

export class MetricsQuery extends DateRangeQuery {
  @ApiPropertyOptional({ example: '6001' })
  @IsOptional()
  @Matches(/^[0-9]{1,32}$/, { message: 'account_id must be a numeric id' })
  account_id?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'repeatable (or comma-separated)',
    example: ['50436417'],
  })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(/^[0-9]{1,32}$/, { each: true, message: 'listing_id must be numeric ids' })
  listing_id?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'metric names or columns, comma-separated (default: all)',
    example: ['p3_impressions'],
  })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @Matches(/^[a-z0-9_]{1,80}$/, { each: true, message: 'metrics must be metric names' })
  metrics?: string[];

  @ApiPropertyOptional({
    description:
      'scrape day: the latest snapshot on or before it; `all` for every snapshot (default: the latest)',
    example: '2026-11-22',
  })
  @IsOptional()
  @Matches(/^(all|\d{4}-\d{2}-\d{2})$/, { message: 'as_of must be a day (YYYY-MM-DD) or all' })
  as_of?: string;
}

export class HostawayListingsQuery extends ReadQuery {
  @ApiPropertyOptional({ example: '10452' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'account_id must be a numeric id' })
  account_id?: string;
}

class HostawayQuery extends DateRangeQuery {
  @ApiPropertyOptional({ example: '10452' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'account_id must be a numeric id' })
  account_id?: string;
}

export class HostawayReservationsQuery extends HostawayQuery {
  @ApiPropertyOptional({ type: [String], description: 'repeatable (or comma-separated)' })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(/^[0-9]{1,18}$/, { each: true, message: 'listing_id must be numeric ids' })
  listing_id?: string[];

  @ApiPropertyOptional({ example: 'new' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  status?: string;
}

export class HostawayMessagesQuery extends HostawayQuery {
  @ApiPropertyOptional({ example: 'sent' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  status?: string;
}
