import type { FeedbackEvent } from '@herald/contracts';
import { emitFeedbackMany, type FeedbackWebhookQueue } from './feedback-webhook-queue';

/** How long a process trusts its answer to "does this sandbox have a webhook subscription?". */
const SUBSCRIBERS_TTL_MS = 5_000;

/**
 * Emits feedback events for the sandboxes that have an enabled webhook subscription, so that the
 * API's provider feedback and the tracker's hits cost no Redis job where nobody listens (the
 * webhook worker still checks each campaign's `enableWebhooks`). A subscription created on
 * another process is seen within SUBSCRIBERS_TTL_MS.
 */
export class FeedbackEmitter {
  private readonly known = new Map<string, { subscribed: boolean; until: number }>();

  constructor(
    private readonly queue: FeedbackWebhookQueue,
    private readonly hasSubscribers: (sandbox: string) => Promise<boolean>,
    private readonly now: () => number = Date.now,
  ) {}

  async emit(events: readonly FeedbackEvent[]): Promise<void> {
    const listened: FeedbackEvent[] = [];
    for (const event of events) {
      if (await this.subscribed(event.sandbox)) listened.push(event);
    }
    await emitFeedbackMany(this.queue, listened);
  }

  private async subscribed(sandbox: string): Promise<boolean> {
    const now = this.now();
    const known = this.known.get(sandbox);
    if (known && known.until > now) return known.subscribed;
    const subscribed = await this.hasSubscribers(sandbox);
    // Bounded by the sandboxes that get events; entries are replaced, never piled up per call.
    this.known.set(sandbox, { subscribed, until: now + SUBSCRIBERS_TTL_MS });
    return subscribed;
  }
}
