import type { ChannelAdapter } from '@herald/channels';
import type { Channel } from '@herald/contracts';
import { TransientDeliveryError } from '@herald/errors';
import type { Logger } from '@herald/logger';

/**
 * Consecutive transient provider failures (5xx, 429, timeouts, no connection) that open the
 * breaker; any accepted message resets the count. Consecutive rather than a ratio: a healthy
 * provider almost never fails five in a row, and it needs no window to tune.
 */
export const BREAKER_OPENS_AFTER = 5;
/** Wait before the first probe of an open breaker; doubled after each failed probe, up to the cap. */
export const BREAKER_FIRST_PROBE_MS = 5000;
export const BREAKER_MAX_PROBE_MS = 60_000;
/** How long the jobs that meet a probe in flight wait before looking again. */
export const BREAKER_PROBE_PENDING_MS = 1000;

/** What a job may do now: send as usual, send as the one probe, or go back to the queue for `waitMs`. */
export type Admission = { kind: 'send' } | { kind: 'probe' } | { kind: 'hold'; waitMs: number };

type State = { name: 'closed'; failures: number } | { name: 'open'; probeAt: number } | { name: 'probing' };

/**
 * Thrown by a watched adapter for a transient failure the open breaker answers for: the job goes
 * back to the queue without using an attempt. A signal between the worker's own modules, like
 * BullMQ's DelayedError: it never reaches a record, a log of failures or an API answer.
 */
export class HeldByBreaker extends Error {
  constructor(cause: TransientDeliveryError) {
    super(`held by the open provider breaker: ${cause.message}`, { cause });
    this.name = 'HeldByBreaker';
  }
}

/**
 * The circuit breaker of one channel's provider in this worker process. While closed, jobs send
 * and their failures use attempts as usual. After BREAKER_OPENS_AFTER consecutive transient
 * failures it opens: jobs go back to the queue without using an attempt (that failure included),
 * until one job is let through as a probe (5 s later, then 10, 20, 40, 60 s, never before a
 * `Retry-After`). A probe the provider accepts closes it; a failed probe (which uses its attempt)
 * opens it again for longer.
 * Refusals (PermanentDeliveryError) tell nothing about an outage: they neither count nor close.
 */
export class ProviderBreaker {
  private state: State = { name: 'closed', failures: 0 };
  private probeDelayMs = BREAKER_FIRST_PROBE_MS;
  private openedAt = 0;

  constructor(
    private readonly channel: Channel,
    private readonly provider: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  admit(): Admission {
    if (this.state.name === 'open' && this.state.probeAt <= this.now()) {
      this.state = { name: 'probing' };
      return { kind: 'probe' };
    }
    const waitMs = this.waitMs();
    return waitMs > 0 ? { kind: 'hold', waitMs } : { kind: 'send' };
  }

  /** How long a job held now waits before it is taken again; 0 while closed. */
  waitMs(): number {
    switch (this.state.name) {
      case 'closed':
        return 0;
      case 'probing':
        return BREAKER_PROBE_PENDING_MS;
      case 'open':
        return Math.max(0, this.state.probeAt - this.now());
    }
  }

  /** The provider accepted a message: any outage is over. */
  succeeded(): void {
    if (this.state.name !== 'closed') {
      this.logger.info(
        { channel: this.channel, provider: this.provider, openForMs: this.now() - this.openedAt },
        'provider breaker closed: the provider accepts messages again',
      );
    }
    this.state = { name: 'closed', failures: 0 };
    this.probeDelayMs = BREAKER_FIRST_PROBE_MS;
  }

  /** A transient provider failure; true when the breaker holds the job back (it keeps its attempt). */
  failed(retryAfterMs = 0): boolean {
    const state = this.state;
    if (state.name === 'closed') {
      const failures = state.failures + 1;
      if (failures < BREAKER_OPENS_AFTER) {
        this.state = { name: 'closed', failures };
        return false;
      }
      this.openedAt = this.now();
      this.logger.warn(
        { channel: this.channel, provider: this.provider, failures, probeInMs: this.open(retryAfterMs) },
        'provider breaker opened: jobs wait in the queue without using attempts',
      );
    } else if (state.name === 'probing') {
      this.probeDelayMs = Math.min(BREAKER_MAX_PROBE_MS, this.probeDelayMs * 2);
      this.logger.warn(
        { channel: this.channel, provider: this.provider, probeInMs: this.open(retryAfterMs) },
        'provider breaker probe failed: staying open',
      );
      // The probe uses its attempt: a message the provider always fails on (alone in its queue)
      // then ends failed after its attempts, instead of being the probe forever.
      return false;
    }
    return true;
  }

  /**
   * The probe's job ended. When it never reached the provider (excluded, deferred, refused before
   * sending) nothing was learnt, and the next job probes.
   */
  probeEnded(): void {
    if (this.state.name === 'probing') this.state = { name: 'open', probeAt: this.now() };
  }

  /** The adapter, reporting each send's outcome to this breaker. */
  watch(adapter: ChannelAdapter): ChannelAdapter {
    return {
      name: adapter.name,
      channels: adapter.channels,
      send: async (message) => {
        let result;
        try {
          result = await adapter.send(message);
        } catch (error) {
          if (error instanceof TransientDeliveryError && this.failed(error.retryAfterMs)) {
            throw new HeldByBreaker(error);
          }
          throw error;
        }
        this.succeeded();
        return result;
      },
    };
  }

  /** Opens until the next probe; returns the wait. */
  private open(retryAfterMs: number): number {
    const probeInMs = Math.min(BREAKER_MAX_PROBE_MS, Math.max(this.probeDelayMs, retryAfterMs));
    this.state = { name: 'open', probeAt: this.now() + probeInMs };
    return probeInMs;
  }
}
