import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DATABASE_OPTIONS, type DatabaseOptions, PrismaService } from './prisma.service.js';
import { SqlClient } from './sql.js';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DATABASE_OPTIONS, useValue: options }, PrismaService, SqlClient],
      exports: [PrismaService, SqlClient],
    };
  }
}
