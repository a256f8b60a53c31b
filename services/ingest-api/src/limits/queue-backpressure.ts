import { LRUCache } from 'lru-cache';
import type { Channel } from '@herald/contracts';
import { ServiceUnavailableError } from '@herald/errors';
import type { Logger } from '@herald/logger';
import type { DeliveryQueue } from '@herald/queues';

export interface QueueBackpressureOptions {
  queues: Record<Channel, DeliveryQueue>;
  /** Waiting jobs a channel queue may hold before calls for it are refused; 0 turns it off. */
  maxWaiting: number;
  logger: Logger;
  /** How long a waiting count is trusted, so a busy API does not ask Redis on every call. */
  cacheMs?: number;
}

/** Long enough for workers to drain a slice of the queue, short enough to resume quickly. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Refuses trigger calls for a channel whose queue holds more than `maxWaiting` waiting jobs,
 * instead of letting it grow without bound. The answer is 503, not 429: the system is over
 * capacity, not this caller over its allowance, and every caller of that channel is refused.
 */
export class QueueBackpressure {
  /** Waiting counts per channel, trusted for `cacheMs`; concurrent misses share one request. */
  private readonly counts: LRUCache<Channel, number>;

  constructor(private readonly options: QueueBackpressureOptions) {
    this.counts = new LRUCache<Channel, number>({
      max: Object.keys(options.queues).length,
      ttl: options.cacheMs ?? 250,
      fetchMethod: (channel) => this.fetchCount(channel),
    });
  }

  async assertQueueHasRoom(channel: Channel): Promise<void> {
    const { maxWaiting } = this.options;
    if (maxWaiting === 0) return;
    const waiting = (await this.counts.fetch(channel)) ?? 0;
    if (waiting > maxWaiting) {
      throw new ServiceUnavailableError(
        'queue-full',
        `The ${channel} queue holds ${waiting} waiting jobs, more than its bound of ${maxWaiting}; retry later.`,
        RETRY_AFTER_SECONDS,
      );
    }
  }

  /**
   * An unknown count lets calls through: the queue write that follows fails fast with 503 when
   * Redis is down, and a healthy Redis answers the next count.
   */
  private async fetchCount(channel: Channel): Promise<number> {
    try {
      return await this.options.queues[channel].getWaitingCount();
    } catch (error) {
      this.options.logger.warn({ err: error, channel }, 'cannot read the queue depth; calls are let through');
      return 0;
    }
  }
}
