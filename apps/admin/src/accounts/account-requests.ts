import type { Type } from '@nestjs/common';
import { IntersectionType } from '@nestjs/swagger';
import type { RequestClass, SourceAccounts } from '@staysync/core';
import { PatchAccountDto } from './dto/patch-account.dto';
import { UpsertAccountDto } from './dto/upsert-account.dto';

export type SharedUpsertFields = UpsertAccountDto;
export type SharedPatchFields = PatchAccountDto;

/** The classes one source's account routes validate and document their requests with. */
export interface AccountRequests {
  /** `Upsert<Title>AccountDto`: the source's POST fields, then `customer_id` and `sync_cron` */
  upsert: Type<SharedUpsertFields>;
  /** `Patch<Title>AccountDto`: the shared PATCH fields, then the source's */
  patch: Type<SharedPatchFields>;
  sync: { in: 'body' | 'query'; type: RequestClass };
  checkQuery?: RequestClass;
}

export function accountRequests(accounts: SourceAccounts): AccountRequests {
  const { upsert, patch, sync, checkQuery } = accounts.requests;
  return {
    upsert: named(`Upsert${accounts.title}AccountDto`, IntersectionType(upsert, UpsertAccountDto)),
    patch: named(`Patch${accounts.title}AccountDto`, IntersectionType(PatchAccountDto, patch)),
    sync,
    checkQuery,
  };
}

/** The OpenAPI document names a request schema by its class. */
function named<T>(name: string, type: Type<T>): Type<T> {
  Object.defineProperty(type, 'name', { value: name });
  return type;
}
