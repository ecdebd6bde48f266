import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { SOURCE_NAMES } from '@staysync/sources';

export class CreateReplayDto {
  @ApiProperty({ enum: SOURCE_NAMES })
  @IsIn(SOURCE_NAMES)
  source!: string;

  @ApiProperty({
    description: 'inclusive lower bound on the responses’ fetched_at (ISO-8601)',
    example: '2026-11-01T00:00:00Z',
  })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({
    description: 'inclusive upper bound on the responses’ fetched_at (ISO-8601)',
    example: '2026-11-22T23:59:59Z',
  })
  @IsISO8601({ strict: true })
  to!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[0-9]{1,32}$/, { message: 'account_id must be a numeric id' })
  account_id?: string;

  @ApiProperty({
    enum: ['topic', 'store'],
    description: 're-read the raw topic (offsets by timestamp) or the raw store',
  })
  @IsIn(['topic', 'store'])
  origin!: 'topic' | 'store';

  @ApiPropertyOptional({
    default: false,
    description: 'report rows that would be added / changed / unchanged, writing nothing',
  })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}
