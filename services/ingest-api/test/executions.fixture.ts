import { randomUUID } from 'node:crypto';
import { Worker, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { deliveryJobId, QUEUE_NAMES, type DeliveryStatus, type Execution } from '@herald/contracts';
import type { DeliveryCounters } from '@herald/queues';
import type { DeliveryKey, Store } from '@herald/store';
import { waitFor } from '@herald/testing';

export type Outcome = [DeliveryStatus, string?];

export function deliveryKey(executionId: string, recipientIndex: number): DeliveryKey {
  return {
    id: deliveryJobId(executionId, recipientIndex),
    sandbox: 'prod',
    executionId,
    campaignId: 'campaign-1',
    campaignVersion: 1,
    recipientIndex,
    channel: 'email',
  };
}

/** Executions and their delivery outcomes in sandbox `prod`, written as the API and the worker write them. */
export class ExecutionFixtures {
  constructor(
    private readonly store: Store,
    private readonly counters: DeliveryCounters,
  ) {}

  /** A `queued` execution of campaign `campaign-1`, as a trigger call leaves it. */
  async newExecution(recipientCount: number, kind: Execution['kind'] = 'unitary'): Promise<Execution> {
    const id = randomUUID();
    await this.store.executions.create({
      id,
      sandbox: 'prod',
      kind,
      campaignId: 'campaign-1',
      campaignVersion: 1,
      requestId: `request-${id}`,
      recipientCount,
      ...(kind === 'audience' ? { audienceId: 'audience-1' } : {}),
    });
    await this.store.executions.setStatus('prod', id, 'queued');
    return (await this.store.executions.get('prod', id)) as Execution;
  }

  /**
   * Records outcomes of recipients `from`, `from + 1`… as the worker does: the store first, then the
   * counters by the real changes; `counted: false` stops before the counters, as a worker that died
   * between the two.
   */
  async settle(executionId: string, outcomes: readonly Outcome[], from = 0, counted = true): Promise<void> {
    const at = new Date().toISOString();
    const entries = outcomes.map(([status, reason], offset) => ({
      key: deliveryKey(executionId, from + offset),
      update: {
        event: { status, at, ...(reason ? { reason } : {}) },
        attempts: 1,
        ...(status === 'failed' ? { lastError: `provider said ${reason}` } : {}),
      },
    }));
    const previous = await this.store.deliveries.recordMany(entries);
    if (!counted) return;
    await this.counters.apply(
      entries.map(({ update }, index) => ({
        scope: { sandbox: 'prod', executionId, campaignId: 'campaign-1' },
        from: previous[index]?.previousStatus ?? null,
        to: update.event.status,
        ...(update.event.reason ? { toReason: update.event.reason } : {}),
      })),
    );
  }
}

/**
 * Runs the waiting jobs of the e-mail queue through a processor that always throws, until each of
 * `jobIds` has failed; `onAttempt` hears of every attempt.
 */
export async function failJobs(
  queue: Queue,
  connection: Redis,
  jobIds: readonly string[],
  onAttempt: (jobId: string) => void = () => undefined,
): Promise<void> {
  const worker = new Worker(
    QUEUE_NAMES.email,
    async (job) => {
      onAttempt(job.id ?? '');
      throw new Error('provider down');
    },
    { connection, prefix: queue.opts.prefix },
  );
  const states = () => Promise.all(jobIds.map((jobId) => queue.getJobState(jobId)));
  try {
    await waitFor(async () => (await states()).every((state) => state === 'failed'));
  } finally {
    await worker.close();
  }
}
