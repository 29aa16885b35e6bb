import { type Environment, type Prisma, uuidv7 } from '@kubecohort/database';
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
  // The id is made here so the names derived from it go in with the same INSERT (one statement
  // less while the caller holds the host-cluster lock).
  const id = uuidv7();
  const names = environmentNames(id);
  return tx.environment.create({
    data: {
      id,
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
      namespace: names.namespace,
      workbenchNamespace: names.workbenchNamespace,
      vclusterName: names.release,
    },
  });
}
