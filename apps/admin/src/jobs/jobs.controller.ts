import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { SOURCE_NAMES } from '@staysync/sources';
import { DEFAULT_PAGE_LIMIT, PageLimitQuery } from '../http/page-limit.query';
import { ProblemException } from '../http/problem.filter';
import { jobView, SyncJobsService } from './sync-jobs.service';

class ListJobsQuery extends PageLimitQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  account_id?: string;

  @ApiPropertyOptional({ enum: SOURCE_NAMES })
  @IsOptional()
  @IsIn(SOURCE_NAMES)
  source?: string;

  @ApiPropertyOptional({ enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] })
  @IsOptional()
  @IsIn(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
  status?: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
}

@ApiTags('jobs')
@ApiSecurity('api-key')
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: SyncJobsService) {}

  @Get()
  @ApiOkResponse({ description: 'Jobs, newest first' })
  async list(@Query() query: ListJobsQuery) {
    const jobs = await this.jobs.list({
      accountId: query.account_id,
      source: query.source,
      status: query.status,
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
    });
    return { items: jobs.map((job) => jobView(job)) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const job = await this.jobs.get(id);
    if (!job) throw new ProblemException(404, 'Not Found', `job ${id} does not exist`);
    return jobView(job, await this.jobs.loadedByResource(job));
  }
}
