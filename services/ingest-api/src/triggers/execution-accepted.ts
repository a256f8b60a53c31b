import type { Execution } from '@herald/contracts';

/** The AJO answer to an accepted call (unitary, highthroughput or audience). */
export interface ExecutionAccepted {
  executionId: string;
  requestId: string;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  modifiedBy: string;
}

/** The answer to the call that created `execution`, the same on every retry of that call. */
export function acceptedAnswer(execution: Execution): ExecutionAccepted {
  const createdBy = execution.createdBy ?? 'anonymous';
  return {
    executionId: execution.id,
    requestId: execution.requestId,
    createdAt: execution.createdAt,
    createdBy,
    modifiedAt: execution.createdAt,
    modifiedBy: createdBy,
  };
}
