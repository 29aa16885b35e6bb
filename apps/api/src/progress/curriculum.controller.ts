import { Scopes } from '@kubecohort/auth';
import type { CurriculumView } from '@kubecohort/contracts';
import { CurriculumCatalog } from '@kubecohort/progress';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurriculumQueryDto } from './progress.dto.js';

@ApiTags('curriculum')
@ApiBearerAuth()
@Controller('curriculum')
export class CurriculumController {
  constructor(private readonly catalog: CurriculumCatalog) {}

  @Scopes('read-cohorts')
  @Get()
  @ApiOperation({
    summary: 'The curriculum (latest version, or ?version=N): steps with their tasks, phases, labs',
  })
  @ApiOkResponse({
    description:
      '{version, title, publishedAt, steps: [{number, slug, title, summary, sections, tasks}], phases, labs}',
  })
  async curriculum(@Query() query: CurriculumQueryDto): Promise<CurriculumView> {
    return (await this.catalog.byNumber(query.version)).view;
  }
}
