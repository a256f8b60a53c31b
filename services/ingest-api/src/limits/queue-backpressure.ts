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

interface CachedCount {
  count: number;
  expiresAt: number;
}

/**
 * Refuses trigger calls for a channel whose queue holds more than `maxWaiting` waiting jobs,
 * instead of letting it grow without bound. The answer is 503, not 429: the system is over
 * capacity, not this caller over its allowance, and every caller of that channel is refused.
 */
export class QueueBackpressure {
  private readonly counts = new Map<Channel, CachedCount>();
  /** One count request per channel at a time: concurrent calls share it. */
  private readonly pending = new Map<Channel, Promise<number>>();
  private readonly cacheMs: number;

  constructor(private readonly options: QueueBackpressureOptions) {
    this.cacheMs = options.cacheMs ?? 250;
  }

  async assertQueueHasRoom(channel: Channel): Promise<void> {
    const { maxWaiting } = this.options;
    if (maxWaiting === 0) return;
    const waiting = await this.waitingCount(channel);
    if (waiting > maxWaiting) {
      throw new ServiceUnavailableError(
        'queue-full',
        `The ${channel} queue holds ${waiting} waiting jobs, more than its bound of ${maxWaiting}; retry later.`,
        RETRY_AFTER_SECONDS,
      );
    }
  }

  private async waitingCount(channel: Channel): Promise<number> {
    const cached = this.counts.get(channel);
    if (cached && cached.expiresAt > Date.now()) return cached.count;
    const inFlight = this.pending.get(channel);
    if (inFlight) return inFlight;
    const request = this.fetchCount(channel).finally(() => this.pending.delete(channel));
    this.pending.set(channel, request);
    return request;
  }

  /**
   * An unknown count lets calls through: the queue write that follows fails fast with 503 when
   * Redis is down, and a healthy Redis answers the next count.
   */
  private async fetchCount(channel: Channel): Promise<number> {
    let count = 0;
    try {
      count = await this.options.queues[channel].getWaitingCount();
    } catch (error) {
      this.options.logger.warn({ err: error, channel }, 'cannot read the queue depth; calls are let through');
    }
    this.counts.set(channel, { count, expiresAt: Date.now() + this.cacheMs });
    return count;
  }
}
