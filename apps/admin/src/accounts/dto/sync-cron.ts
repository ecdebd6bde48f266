import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, MaxLength, ValidateBy } from 'class-validator';
import { isSyncCron } from '../../scheduler/cron-expression';

/** `sync_cron`: optional; null clears the override (the account follows SYNC_CRON again). */
export function SyncCronProperty(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: String,
      nullable: true,
      example: '30 6 * * *',
      description:
        "this account's sync schedule (cron, UTC, 5 fields or 6 with seconds, at most once an hour) instead of SYNC_CRON; null: back to SYNC_CRON",
    }),
    // null and undefined skip the checks below
    IsOptional(),
    MaxLength(128),
    ValidateBy({
      name: 'isSyncCron',
      validator: {
        validate: isSyncCron,
        defaultMessage: () =>
          'sync_cron must be a cron expression with 5 or 6 fields (e.g. "30 6 * * *") that fires at most once an hour',
      },
    }),
  );
}
