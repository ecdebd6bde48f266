import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { DEFAULT_PAGE_LIMIT } from '../http/page-limit.query';
import { jobView } from '../jobs/sync-jobs.service';
import { airbnbAccountView } from './account-view';
import { AirbnbAccountsService } from './airbnb-accounts.service';
import { DeleteAccountQuery, ListAccountsQuery } from './dto/account-queries';
import {
  PatchAirbnbAccountDto,
  SyncRequestDto,
  UpsertAirbnbAccountDto,
  ValidateQuery,
} from './dto/airbnb-account.dto';

const AccountIdParam = () => Param('id');

@ApiTags('airbnb accounts')
@ApiSecurity('api-key')
@Controller('api/v1/airbnb/accounts')
export class AirbnbAccountsController {
  constructor(private readonly accounts: AirbnbAccountsService) {}

  @Post()
  @ApiCreatedResponse({ description: 'Account created; its first backfill is queued' })
  @ApiOkResponse({ description: 'Existing account updated' })
  @ApiUnprocessableEntityResponse({
    description: 'The credential check (preflight) found the session dead; the problem names the signal',
  })
  async upsert(
    @Body() dto: UpsertAirbnbAccountDto,
    @Query() query: ValidateQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { account, created } = await this.accounts.upsert(dto, { validate: query.validate });
    res.status(created ? 201 : 200);
    if (created) res.setHeader('Location', `/api/v1/airbnb/accounts/${account.accountId}`);
    return airbnbAccountView(account);
  }

  @Get()
  async list(@Query() query: ListAccountsQuery) {
    const page = await this.accounts.list({
      activeOnly: query.active_only ?? false,
      limit: query.limit ?? DEFAULT_PAGE_LIMIT,
      cursor: query.cursor,
    });
    return { items: page.items.map(airbnbAccountView), next_cursor: page.nextCursor };
  }

  @Get(':id')
  async get(@AccountIdParam() id: string) {
    return airbnbAccountView(await this.accounts.get(id));
  }

  @Patch(':id')
  @ApiUnprocessableEntityResponse({ description: 'New credentials failed the credential check (preflight)' })
  async patch(
    @AccountIdParam() id: string,
    @Body() dto: PatchAirbnbAccountDto,
    @Query() query: ValidateQuery,
  ) {
    return airbnbAccountView(await this.accounts.patch(id, dto, { validate: query.validate }));
  }

  @Post(':id/validate')
  @HttpCode(200)
  @ApiOkResponse({
    description:
      'The stored credentials were checked with the preflight; the account status follows (live → active, dead → needs_reauth)',
  })
  async validate(@AccountIdParam() id: string) {
    const { account, preflight } = await this.accounts.validate(id);
    return { account: airbnbAccountView(account), preflight };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@AccountIdParam() id: string, @Query() query: DeleteAccountQuery) {
    await this.accounts.delete(id, query.hard ?? false);
  }

  @Post(':id/sync')
  @ApiAcceptedResponse({ description: 'Job queued (or the unfinished job already running for this account)' })
  async sync(
    @AccountIdParam() id: string,
    @Body() dto: SyncRequestDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { job, created } = await this.accounts.requestSync(id, dto?.mode);
    res.status(created ? 202 : 200);
    res.setHeader('Location', `/api/v1/jobs/${job.id}`);
    return { job_id: job.id, created, job: jobView(job) };
  }
}
