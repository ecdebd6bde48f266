import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageLimitQuery } from '../../http/page-limit.query';

/** Query parameters shared by every source's account endpoints. */
const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === true ? true : value === 'false' || value === false ? false : value;

export class ListAccountsQuery extends PageLimitQuery {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active_only?: boolean;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class DeleteAccountQuery {
  @ApiPropertyOptional({ default: false, description: 'remove the account and all of its data' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  hard?: boolean;
}
