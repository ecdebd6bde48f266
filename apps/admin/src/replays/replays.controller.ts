import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DEFAULT_PAGE_LIMIT, PageLimitQuery } from '../http/page-limit.query';
import { ProblemException } from '../http/problem.filter';
import { validateReplayRequest } from '@staysync/pipeline';
import { CreateReplayDto } from './replay.dto';
import { ReplaysService, replayView } from './replays.service';

@ApiTags('replays')
@ApiSecurity('api-key')
@Controller('api/v1/replays')
export class ReplaysController {
  constructor(private readonly replays: ReplaysService) {}

  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Replay started; poll the Location for progress and the report' })
  async create(@Body() dto: CreateReplayDto, @Res({ passthrough: true }) res: Response) {
    const request = {
      source: dto.source,
      origin: dto.origin,
      from: new Date(dto.from),
      to: new Date(dto.to),
      accountId: dto.account_id,
      dryRun: dto.dry_run ?? false,
    };
    try {
      validateReplayRequest(request);
    } catch (error) {
      throw new ProblemException(400, 'Bad Request', (error as Error).message);
    }
    const id = await this.replays.start(request);
    res.setHeader('Location', `/api/v1/replays/${id}`);
    return replayView((await this.replays.get(id))!);
  }

  @Get()
  async list(@Query() query: PageLimitQuery) {
    return { items: (await this.replays.list(query.limit ?? DEFAULT_PAGE_LIMIT)).map(replayView) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const replay = await this.replays.get(id);
    if (!replay) throw new ProblemException(404, 'Not Found', `replay ${id} does not exist`);
    return replayView(replay);
  }
}
