import type { Environment, Prisma } from '@kubecohort/database';
import { environmentNames } from './environment-names.js';

export interface NewEnvironment {
  cohortId: string;
  userId: string;
  hostClusterId: string;
  cost: { cpuMillis: number; memoryMib: number };
  operationId?: string;
  expiresAt?: Date | null;
}

/**
 * Inserts a `requested` environment holding the student's one live slot (the unique
 * activeUserId fails a second one with P2002), named after its own id. The caller announces it
 * and enqueues its provisioning after the commit.
 */
export async function createEnvironmentRow(
  tx: Prisma.TransactionClient,
  input: NewEnvironment,
): Promise<Environment> {
  const created = await tx.environment.create({
    data: {
      cohortId: input.cohortId,
      userId: input.userId,
      activeUserId: input.userId,
      hostClusterId: input.hostClusterId,
      state: 'requested',
      progressStep: 'queued',
      progressPercent: 0,
      cpuMillis: input.cost.cpuMillis,
      memoryMib: input.cost.memoryMib,
      operationId: input.operationId ?? null,
      expiresAt: input.expiresAt ?? null,
    },
  });
  const names = environmentNames(created.id);
  return tx.environment.update({
    where: { id: created.id },
    data: {
      namespace: names.namespace,
      workbenchNamespace: names.workbenchNamespace,
      vclusterName: names.release,
    },
  });
}
