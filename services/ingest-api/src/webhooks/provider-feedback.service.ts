import type { Channel, DeliveryEvent, DeliveryStatus, ProviderFeedback } from '@herald/contracts';
import type { Logger } from '@herald/logger';
import type { DeliveryCounters, FeedbackEmitter, StatusTransition } from '@herald/queues';
import {
  feedbackEventOf,
  feedbackOutcome,
  normaliseAddress,
  type EngagementEvent,
  type EngagementKind,
  type FeedbackOutcome,
  type Store,
  type SuppressionReason,
} from '@herald/store';
import type { SoftBounceCounter } from './soft-bounce-counter';

/** Who reports, and the channel of the addresses it names (used when Herald has no record). */
export interface FeedbackProvider {
  name: string;
  channel: Channel;
}

/** What one webhook request changed, answered to the provider and logged. */
export interface FeedbackSummary {
  received: number;
  /** Records moved along the funnel. */
  applied: number;
  /** Reports that changed no record: a repeat, or older than what the record already says. */
  unchanged: number;
  /** Reports about deliveries Herald has no record of (removed after retention, or another system's). */
  unknown: number;
  /** Reports Herald does not record (see the provider's parser). */
  ignored: number;
  /** Addresses added to the suppression list (already-suppressed ones included). */
  suppressed: number;
}

export interface ProviderFeedbackDeps {
  store: Store;
  counters: DeliveryCounters;
  softBounces: SoftBounceCounter;
  /** Soft bounces in a row after which an address is suppressed (`soft-bounce-limit`). */
  softBounceLimit: number;
  logger: Logger;
  /** Emits the reports to the customers' feedback webhooks. */
  feedbackWebhooks: FeedbackEmitter;
}

/** Statuses that prove a message reached the address. */
const REACHED: ReadonlySet<DeliveryStatus> = new Set(['delivered', 'opened', 'clicked']);

/**
 * Applies providers' reports to delivery records, live counters and the suppression list. Every
 * step is idempotent, so a provider re-posting a batch (they retry on any error) changes nothing
 * twice: records only move forward, counters move only with a record, suppressions are kept once.
 */
export class ProviderFeedbackService {
  constructor(private readonly deps: ProviderFeedbackDeps) {}

  async apply(
    provider: FeedbackProvider,
    feedback: readonly ProviderFeedback[],
    ignored: number,
  ): Promise<FeedbackSummary> {
    const summary: FeedbackSummary = {
      received: feedback.length + ignored,
      applied: 0,
      unchanged: 0,
      unknown: 0,
      ignored,
      suppressed: 0,
    };
    const transitions: StatusTransition[] = [];
    const events: EngagementEvent[] = [];
    try {
      for (const item of feedback) {
        const outcome = await this.outcomeOf(item);
        if (!outcome.found) {
          summary.unknown += 1;
          // No record (not written yet by a worker that crashed after sending, or pruned after
          // retention), but the signed report still names the address: a hard bounce or a spam
          // report must not be lost with the record.
          if (item.suppress && item.address) {
            const address = normaliseAddress(provider.channel, item.address);
            await this.suppress(item.sandbox, provider.channel, address, item.suppress, provider.name);
            summary.suppressed += 1;
          }
          continue;
        }
        // Repeated reports give the same keys, so the provider's retries are counted once.
        if (item.event) events.push(engagementEventOf(item, item.event, outcome));
        if (outcome.changed) {
          summary.applied += 1;
          transitions.push(transitionOf(item.sandbox, outcome));
        } else if (item.event) {
          summary.unchanged += 1;
        }
        const given = outcome.address ?? item.address;
        if (!given) continue;
        // The record's own channel: the suppression must land on the list its address belongs to.
        const { channel } = outcome;
        const address = normaliseAddress(channel, given);
        const reason = await this.suppressionFor(item, outcome, address);
        if (reason) {
          await this.suppress(item.sandbox, channel, address, reason, provider.name);
          summary.suppressed += 1;
        }
      }
      // A failure fails the request: the provider posts the batch again and nothing counts twice.
      if (events.length > 0) {
        await this.deps.store.engagement.recordMany(events);
        // Event ids are the engagement keys: the provider's retry re-emits, and nothing posts twice.
        await this.deps.feedbackWebhooks.emit(events.map(feedbackEventOf));
      }
    } finally {
      // Even when a later report fails: the provider's retry will not move these records again.
      // A counter write that fails is logged; the records stay the truth the reports fall back on.
      await this.deps.counters
        .apply(transitions)
        .catch((error: unknown) =>
          this.deps.logger.error(
            { err: error, provider: provider.name },
            'cannot update counters from provider feedback',
          ),
        );
    }
    this.deps.logger.info({ provider: provider.name, ...summary }, 'provider feedback applied');
    return summary;
  }

  /**
   * The report's own suppression, else `soft-bounce-limit` once the address's run of soft bounces
   * reaches the limit. A run counts each delivery once (only a report that moved its record), and
   * any message that reaches the address ends it: on every such report, moved or repeated, so a
   * provider's retry of a report whose reset failed ends the run then. A Redis failure fails the
   * request (the provider posts again; nothing is applied twice).
   */
  private async suppressionFor(
    item: ProviderFeedback,
    outcome: Extract<FeedbackOutcome, { found: true }>,
    address: string,
  ): Promise<SuppressionReason | undefined> {
    const { channel } = outcome;
    if (item.suppress) return item.suppress;
    const { softBounces, softBounceLimit } = this.deps;
    if (REACHED.has(outcome.status)) {
      await softBounces.reset(item.sandbox, channel, address);
      return undefined;
    }
    if (!outcome.changed || !item.softBounce) return undefined;
    const run = await softBounces.add(item.sandbox, channel, address);
    return run >= softBounceLimit ? 'soft-bounce-limit' : undefined;
  }

  /**
   * Puts the (normalised) address on the list and ends its run of soft bounces: an operator who removes the
   * suppression later starts it from zero, not one bounce short of the limit.
   */
  private async suppress(
    sandbox: string,
    channel: Channel,
    address: string,
    reason: SuppressionReason,
    source: string,
  ): Promise<void> {
    await this.deps.store.suppressions.add({ sandbox, channel, address, reason, source });
    await this.deps.softBounces.reset(sandbox, channel, address);
  }

  /** A report without a funnel step (a spam report) only needs to know the delivery exists. */
  private async outcomeOf(item: ProviderFeedback): Promise<FeedbackOutcome> {
    if (item.event)
      return this.deps.store.deliveries.recordFeedback(item.sandbox, item.deliveryId, item.event);
    const delivery = await this.deps.store.deliveries.get(item.sandbox, item.deliveryId);
    return delivery ? feedbackOutcome(delivery) : { found: false };
  }
}

/**
 * The provider's report as the reports over time count it. Delivered and bounced happen once per
 * delivery; opens and clicks repeat, each report told apart by the provider's event id (the same
 * event posted again is one), or by its time when the provider gives no id.
 */
function engagementEventOf(
  { deliveryId, sandbox, eventId }: ProviderFeedback,
  event: DeliveryEvent,
  outcome: Extract<FeedbackOutcome, { found: true }>,
): EngagementEvent {
  const once = event.status === 'delivered' || event.status === 'bounced';
  return {
    key: once ? `${deliveryId}:${event.status}` : `${deliveryId}:${event.status}:${eventId ?? event.at}`,
    sandbox,
    campaignId: outcome.campaignId,
    executionId: outcome.executionId,
    deliveryId,
    channel: outcome.channel,
    kind: engagementKindOf(event.status),
    at: event.at,
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  };
}

function engagementKindOf(status: DeliveryStatus): EngagementKind {
  switch (status) {
    case 'delivered':
    case 'bounced':
    case 'opened':
    case 'clicked':
      return status;
    default:
      throw new Error(`provider feedback of status ${status} is not an engagement event`);
  }
}

function transitionOf(sandbox: string, outcome: Extract<FeedbackOutcome, { found: true }>): StatusTransition {
  return {
    scope: { sandbox, executionId: outcome.executionId, campaignId: outcome.campaignId },
    from: outcome.previousStatus,
    ...(outcome.previousReason ? { fromReason: outcome.previousReason } : {}),
    to: outcome.status,
    ...(outcome.reason ? { toReason: outcome.reason } : {}),
  };
}
