import { Module } from '@nestjs/common';
import { AuditLogController } from './audit-log.controller.js';

/** HTTP edge of the audit log (AuditLogRepository comes from the global AuthModule). */
@Module({ controllers: [AuditLogController] })
export class AuditHttpModule {}
