import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
  type Type,
} from '@nestjs/common';
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
import type { SourceAccounts, SourcePlugin } from '@staysync/core';
import type { SyncMode } from '@staysync/db';
import { DEFAULT_PAGE_LIMIT } from '../http/page-limit.query';
import { jobView } from '../jobs/sync-jobs.service';
import { accountRequests, type SharedPatchFields, type SharedUpsertFields } from './account-requests';
import { AccountsService } from './accounts.service';
import { DeleteAccountQuery, ListAccountsQuery } from './dto/account-queries';

const PARAM_TYPES = 'design:paramtypes';

/**
 * The controllers of `/api/v1/<source>/accounts`, one per source that declares accounts: the same
 * routes over AccountsService, with the source's request classes as the parameter types (validated
 * by the global pipe, documented in OpenAPI) and its own actions (e.g. `POST /{id}/validate`). A
 * source without accounts has no such routes (404).
 */
export function accountsControllers(
  sources: ReadonlyArray<SourcePlugin & { accounts: SourceAccounts }>,
): Type[] {
  return sources.map((source) => accountsController(source.name, source.accounts));
}

function accountsController(source: string, accounts: SourceAccounts): Type {
  const requests = accountRequests(accounts);
  const pathId = (id: string) => accounts.pathAccountId?.(id) ?? id;
  const credentialCheck = accounts.descriptions.unprocessable;

  @ApiTags(`${source} accounts`)
  @ApiSecurity('api-key')
  @Controller(`api/v1/${source}/accounts`)
  class SourceAccountsController {
    constructor(@Inject(AccountsService) readonly service: AccountsService) {}

    @Post()
    @ApiCreatedResponse({ description: accounts.descriptions.created })
    @ApiOkResponse({ description: 'Existing account updated' })
    @applyDecorators(
      ...(credentialCheck ? [ApiUnprocessableEntityResponse({ description: credentialCheck.upsert })] : []),
    )
    async upsert(body: SharedUpsertFields, res: Response, query?: object) {
      const { account, created } = await this.service.upsert(source, body, query ?? {});
      res.status(created ? 201 : 200);
      if (created) res.setHeader('Location', `/api/v1/${source}/accounts/${account.accountId}`);
      return this.service.view(source, account);
    }

    @Get()
    async list(@Query() query: ListAccountsQuery) {
      const page = await this.service.list(source, {
        activeOnly: query.active_only ?? false,
        limit: query.limit ?? DEFAULT_PAGE_LIMIT,
        cursor: query.cursor,
      });
      return {
        items: page.items.map((account) => this.service.view(source, account)),
        next_cursor: page.nextCursor,
      };
    }

    @Get(':id')
    async get(@Param('id') id: string) {
      return this.service.view(source, await this.service.get(source, pathId(id)));
    }

    @Patch(':id')
    @applyDecorators(
      ...(credentialCheck ? [ApiUnprocessableEntityResponse({ description: credentialCheck.patch })] : []),
    )
    async patch(id: string, body: SharedPatchFields, query?: object) {
      const account = await this.service.patch(source, pathId(id), body, query ?? {});
      return this.service.view(source, account);
    }

    @Delete(':id')
    @HttpCode(204)
    @ApiNoContentResponse()
    async delete(@Param('id') id: string, @Query() query: DeleteAccountQuery) {
      await this.service.delete(source, pathId(id), query.hard ?? false);
    }

    @Post(':id/sync')
    @ApiAcceptedResponse({
      description: 'Job queued (or the unfinished job already running for this account)',
    })
    async sync(id: string, request: { mode?: SyncMode } | undefined, res: Response) {
      const { job, created } = await this.service.requestSync(source, pathId(id), request?.mode);
      res.status(created ? 202 : 200);
      res.setHeader('Location', `/api/v1/jobs/${job.id}`);
      return { job_id: job.id, created, job: jobView(job) };
    }
  }

  const proto = SourceAccountsController.prototype;
  const { checkQuery } = requests;
  // parameters whose class (or presence) is the source's: decorated here, last first as TypeScript
  // does (the OpenAPI parameters keep that order), their classes in PARAM_TYPES
  if (checkQuery) Query()(proto, 'upsert', 2);
  Res({ passthrough: true })(proto, 'upsert', 1);
  Body()(proto, 'upsert', 0);
  Reflect.defineMetadata(
    PARAM_TYPES,
    [requests.upsert, Object, ...(checkQuery ? [checkQuery] : [])],
    proto,
    'upsert',
  );

  if (checkQuery) Query()(proto, 'patch', 2);
  Body()(proto, 'patch', 1);
  Param('id')(proto, 'patch', 0);
  Reflect.defineMetadata(
    PARAM_TYPES,
    [String, requests.patch, ...(checkQuery ? [checkQuery] : [])],
    proto,
    'patch',
  );

  Res({ passthrough: true })(proto, 'sync', 2);
  (requests.sync.in === 'body' ? Body() : Query())(proto, 'sync', 1);
  Param('id')(proto, 'sync', 0);
  Reflect.defineMetadata(PARAM_TYPES, [String, requests.sync.type, Object], proto, 'sync');

  for (const action of accounts.actions ?? []) {
    if (action.path in proto)
      throw new Error(`${source} accounts: action ${action.path} names a shared route`);
    const run = async function (this: SourceAccountsController, id: string) {
      return this.service.runAction(source, action.path, pathId(id));
    };
    // the route handler's name is its OpenAPI operation's (`AirbnbAccountsController_validate`)
    Object.defineProperty(run, 'name', { value: action.path });
    Object.defineProperty(proto, action.path, { value: run, writable: true, configurable: true });
    const descriptor = Object.getOwnPropertyDescriptor(proto, action.path)!;
    applyDecorators(
      Post(`:id/${action.path}`),
      HttpCode(200),
      ApiOkResponse({ description: action.description }),
    )(proto, action.path, descriptor);
    Param('id')(proto, action.path, 0);
    Reflect.defineMetadata(PARAM_TYPES, [String], proto, action.path);
  }

  // names its OpenAPI operations (`AirbnbAccountsController_upsert`) as before the routes were shared
  Object.defineProperty(SourceAccountsController, 'name', { value: `${accounts.title}AccountsController` });
  return SourceAccountsController;
}
