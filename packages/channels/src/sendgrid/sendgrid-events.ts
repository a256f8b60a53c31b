import { ValidationError } from '@herald/errors';
import type { ProviderFeedback } from '@herald/contracts';
import { CUSTOM_ARG } from './custom-args';

/** SendGrid posts events in batches; a larger body is not one of its batches. */
export const MAX_SENDGRID_EVENTS = 10_000;
/** Longest provider text kept in a record's history. */
const MAX_DETAIL_CHARS = 300;

export interface ParsedSendGridEvents {
  feedback: ProviderFeedback[];
  /** Events that say nothing Herald records (processed, deferred, unsubscribe…) or carry no Herald delivery id. */
  ignored: number;
}

/**
 * Reads a batch of SendGrid event-webhook events. Herald's sends carry `sandbox`, `execution_id`
 * and `delivery_id` as custom args, which SendGrid copies to the top level of every event; events
 * without them (mail sent by other systems on the same account) are ignored, as are event types
 * that move no record. A malformed event is ignored rather than refusing the batch: SendGrid
 * retries a refused batch for three days, and the signature already proved where it came from.
 */
export function parseSendGridEvents(body: unknown): ParsedSendGridEvents {
  if (!Array.isArray(body)) {
    throw new ValidationError('invalid-request', 'The event webhook body must be a JSON array of events.', [
      { path: '/', code: 'type', message: 'must be array' },
    ]);
  }
  if (body.length > MAX_SENDGRID_EVENTS) {
    throw new ValidationError('invalid-request', `At most ${MAX_SENDGRID_EVENTS} events per request.`, [
      { path: '/', code: 'maxItems', message: `must have at most ${MAX_SENDGRID_EVENTS} items` },
    ]);
  }
  const feedback: ProviderFeedback[] = [];
  for (const entry of body as unknown[]) {
    const item = feedbackOf(entry);
    if (item) feedback.push(item);
  }
  return { feedback, ignored: body.length - feedback.length };
}

function feedbackOf(entry: unknown): ProviderFeedback | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const event = entry as Record<string, unknown>;
  const sandbox = text(event[CUSTOM_ARG.sandbox]);
  const deliveryId = text(event[CUSTOM_ARG.deliveryId]);
  const kind = text(event.event);
  if (!sandbox || !deliveryId || !kind) return undefined;
  const at = atOf(event.timestamp);
  const eventId = text(event.sg_event_id);
  const base = {
    sandbox,
    deliveryId,
    ...(text(event.email) ? { address: text(event.email) } : {}),
    ...(eventId ? { eventId } : {}),
  };
  const detail = detailOf(event.reason ?? event.response);
  switch (kind) {
    case 'delivered':
      return { ...base, event: { status: 'delivered', at } };
    case 'open':
      return { ...base, event: { status: 'opened', at } };
    case 'click':
      return { ...base, event: { status: 'clicked', at } };
    case 'bounce':
      // `blocked` is a temporary refusal by the receiving server: a soft bounce, suppressed only after a run of them.
      return event.type === 'blocked'
        ? { ...base, event: { status: 'bounced', at, reason: 'soft-bounce', ...detail }, softBounce: true }
        : {
            ...base,
            event: { status: 'bounced', at, reason: 'hard-bounce', ...detail },
            suppress: 'hard-bounce',
          };
    case 'dropped':
      return { ...base, event: { status: 'bounced', at, reason: 'dropped', ...detail } };
    case 'spamreport':
      return { ...base, suppress: 'spam-complaint' };
    default:
      return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** SendGrid's Unix time in seconds; the time of receipt when it is missing or absurd. */
function atOf(timestamp: unknown): string {
  const ms = typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp * 1000 : Number.NaN;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
}

/** The receiving server's words, with anything shaped like an address masked: records end up in logs and reports. */
function detailOf(value: unknown): { detail?: string } {
  const detail = text(value)
    ?.replace(/\S+@\S+/g, '[address]')
    .slice(0, MAX_DETAIL_CHARS);
  return detail ? { detail } : {};
}
