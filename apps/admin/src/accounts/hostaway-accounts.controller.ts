import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { DEFAULT_PAGE_LIMIT } from '../http/page-limit.query';
import { jobView } from '../jobs/sync-jobs.service';
import { hostawayAccountView } from './account-view';
import { DeleteAccountQuery, ListAccountsQuery } from './dto/account-queries';
import {
  HostawaySyncQuery,
  PatchHostawayAccountDto,
  UpsertHostawayAccountDto,
} from './dto/hostaway-account.dto';
import { HostawayAccountsService } from './hostaway-accounts.service';

const AccountIdParam = () => Param('id');

@ApiTags('hostaway accounts')
@ApiSecurity('api-key')
@Controller('api/v1/hostaway/accounts')
export class HostawayAccountsController {
  constructor(private readonly accounts: HostawayAccountsService) {}

  @Post()
  @ApiCreatedResponse({ description: 'Account created; its first full sync is queued' })
  @ApiOkResponse({ description: 'Existing account updated' })
  async upsert(@Body() dto: UpsertHostawayAccountDto, @Res({ passthrough: true }) res: Response) {
    const { account, created } = await this.accounts.upsert(dto);
    res.status(created ? 201 : 200);
    if (created) res.setHeader('Location', `/api/v1/hostaway/accounts/${account.accountId}`);
    return hostawayAccountView(account);
  }

  @Get()
  async list(@Query() query: ListAccountsQuery) {
    const page = await this.accounts.list({
      activeOnly: query.active_only ?? false,
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
      cursor: query.cursor,
    });
    return { items: page.items.map(hostawayAccountView), next_cursor: page.nextCursor };
  }

  @Get(':id')
  async get(@AccountIdParam() id: string) {
    return hostawayAccountView(await this.accounts.get(numericId(id)));
  }

  @Patch(':id')
  async patch(@AccountIdParam() id: string, @Body() dto: PatchHostawayAccountDto) {
    return hostawayAccountView(await this.accounts.patch(numericId(id), dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@AccountIdParam() id: string, @Query() query: DeleteAccountQuery) {
    await this.accounts.delete(numericId(id), query.hard ?? false);
  }

  @Post(':id/sync')
  @ApiAcceptedResponse({ description: 'Job queued (or the unfinished job already running for this account)' })
  async sync(
    @AccountIdParam() id: string,
    @Query() query: HostawaySyncQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { job, created } = await this.accounts.requestSync(numericId(id), query.mode);
    res.status(created ? 202 : 200);
    res.setHeader('Location', `/api/v1/jobs/${job.id}`);
    return { job_id: job.id, created, job: jobView(job) };
  }
}

/** Hostaway ids are integers; anything else cannot exist (and must not reach a bigint comparison). */
function numericId(id: string): string {
  return /^[0-9]{1,18}$/.test(id) ? id : '0';
}
