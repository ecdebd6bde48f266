import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CronTime } from 'cron';
import type { AdminConfig } from '@staysync/config';
import { ADMIN_CONFIG } from '../admin-config';

/** What the dashboard needs besides the resource APIs: when the scheduler syncs next. */
@ApiTags('dashboard')
@ApiSecurity('api-key')
@Controller('api/v1/schedule')
export class ScheduleController {
  constructor(@Inject(ADMIN_CONFIG) private readonly config: AdminConfig) {}

  @Get()
  @ApiOkResponse({ description: 'The sync schedule (SYNC_CRON, UTC) and its next run' })
  schedule() {
    return {
      cron: this.config.syncCron,
      enabled: this.config.schedulerEnabled,
      next_run_at: this.config.schedulerEnabled
        ? new CronTime(this.config.syncCron, 'UTC').sendAt().toUTC().toISO()
        : null,
    };
  }
}
