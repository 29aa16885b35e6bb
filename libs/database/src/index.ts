export { DatabaseModule } from './database.module.js';
export { PrismaService, type DatabaseOptions, type PoolStats } from './prisma.service.js';
export { GroupCommit } from './group-commit.js';
export { prismaSql, type Sql, SqlClient, type Statement, statement } from './sql.js';
export { uuidv7 } from './uuid7.js';
export { Prisma, PrismaClient } from './generated/prisma/client.js';
export type * from './generated/prisma/client.js';
export * from './generated/prisma/enums.js';
