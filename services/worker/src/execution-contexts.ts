import { LRUCache } from 'lru-cache';
import type { DeliveryJobData } from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import type { ExecutionRepository } from '@herald/store';

/** Executions whose contexts are kept: an audience's members come in runs of one execution. */
const MAX_EXECUTIONS = 100;
/** A context never changes; this only bounds how long a finished execution's stays in memory. */
const TTL_MS = 5 * 60_000;

/**
 * The contexts of audience executions, read from the store once per execution and process
 * (concurrent jobs of one execution share the read), for jobs that carry `contextOfExecution`
 * instead of a copy of the context each.
 */
export class ExecutionContexts {
  private readonly cache: LRUCache<string, Record<string, unknown>, { sandbox: string; executionId: string }>;

  constructor(executions: Pick<ExecutionRepository, 'getContext'>) {
    this.cache = new LRUCache({
      max: MAX_EXECUTIONS,
      ttl: TTL_MS,
      fetchMethod: async (_key, _stale, { context }) =>
        (await executions.getContext(context.sandbox, context.executionId)) ?? undefined,
    });
  }

  /**
   * The job's data with its recipient's context, as the API would have put it there: the
   * execution's when the job refers to it, else the job's own. A missing execution context
   * can never appear later: the delivery fails for good.
   */
  async resolve(data: DeliveryJobData): Promise<DeliveryJobData> {
    if (data.contextOfExecution !== true) return data;
    const context = await this.cache.fetch(`${data.sandbox}\u0000${data.executionId}`, {
      context: { sandbox: data.sandbox, executionId: data.executionId },
    });
    if (context === undefined) {
      throw new PermanentDeliveryError(
        'execution-context-missing',
        `execution ${data.executionId} has no stored context`,
      );
    }
    return { ...data, recipient: { ...data.recipient, context } };
  }
}
