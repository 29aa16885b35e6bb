import { AuditLogRepository, Roles } from '@kubecohort/auth';
import { pageSize } from '@kubecohort/cohorts';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditLogPageDto, AuditLogQueryDto } from './audit-log.dto.js';

/** The audit log, for admins only: instructors see their cohorts' effects, not who did what. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('audit-log')
export class AuditLogController {
  constructor(private readonly auditLog: AuditLogRepository) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first, filtered by cohort, actor, action or target' })
  @ApiOkResponse({ type: AuditLogPageDto })
  list(@Query() query: AuditLogQueryDto): Promise<AuditLogPageDto> {
    const { limit, ...filters } = query;
    return this.auditLog.page(filters, pageSize(limit));
  }
}
