import type {
  CampaignType,
  ExclusionReason,
  FeedbackEvent,
  FeedbackEventType,
  WebhookEvent,
} from '@herald/contracts';
import { ERROR_CODES } from '@herald/errors';

/** What the body names besides the event: the organisation, and the campaign's type when known. */
export interface WebhookBodyContext {
  /** AJO's `imsOrg`: Herald's `HERALD_ORG_ID`. */
  imsOrg: string;
  subscriptionId: string;
  messageType?: CampaignType;
}

/** AJO's `feedbackStatus` values, for the kinds AJO's `message.feedback` event reports. */
const FEEDBACK_STATUS: Partial<Record<FeedbackEventType, string>> = {
  'message.sent': 'sent',
  'message.delivered': 'delivered',
  'message.bounced': 'bounce',
  'message.failed': 'error',
  'message.excluded': 'exclude',
};

/** AJO has no webhook for engagement: Herald reports it as `message.interaction`, in XDM's words. */
const INTERACTION_TYPE: Partial<Record<FeedbackEventType, string>> = {
  'message.opened': 'open',
  'message.clicked': 'click',
  'message.unsubscribed': 'unsubscribe',
};

const EXCLUSION_REASONS: Record<ExclusionReason, string> = {
  'profile-not-found': 'No profile holds the identity, and the campaign does not create profiles.',
  'no-address': 'The profile has no address for the channel.',
  'no-push-token-for-app': "The profile has no device or subscription for the campaign's app.",
  'push-platform-mismatch': "The device is on a platform the campaign's app is not on.",
  'empty-subject': 'The e-mail subject renders empty.',
  'empty-content': 'The message renders empty.',
  'sms-too-long': 'The SMS body renders longer than 1,600 characters.',
  suppressed: 'The address is on the suppression list.',
  'no-marketing-consent': 'The profile has not consented to marketing on this channel.',
  'frequency-capped': "The profile reached the sandbox's frequency cap for the channel.",
  'campaign-not-live': 'The campaign was stopped before the message was sent.',
  'quiet-hours': 'The message fell in quiet hours set to drop.',
  'throttle-expired': "The campaign's throttle could not send the message within 12 hours.",
};

/** A human reason for a code: the exclusion's, or the error catalogue's meaning; else the code. */
function reasonText(code: string): string {
  if (code in EXCLUSION_REASONS) return EXCLUSION_REASONS[code as ExclusionReason];
  if (code in ERROR_CODES)
    return ERROR_CODES[code as keyof typeof ERROR_CODES].meaning.replace(/^Delivery: /, '');
  return code;
}

function deliveryFeedback(event: FeedbackEvent, status: string): Record<string, unknown> {
  const code = event.reason;
  const failure =
    code !== undefined && (event.type === 'message.failed' || event.type === 'message.bounced')
      ? {
          // AJO's categories: `sync` failures happen while sending, `async` ones are reported later.
          category: event.type === 'message.failed' ? 'sync' : 'async',
          code,
          reason: reasonText(code),
        }
      : null;
  const exclusion =
    code !== undefined && event.type === 'message.excluded' ? { code, reason: reasonText(code) } : null;
  return { feedbackStatus: { value: status }, messageExclusion: exclusion, messageFailure: failure };
}

/**
 * The JSON body of one webhook call. Feedback events follow AJO's `message.feedback` webhook
 * where AJO defines the field (requestId, imsOrg, sandbox, channel, eventType, messageExecution,
 * messageDeliveryFeedback, deliveryTimestamp); opens, clicks and unsubscribes, which AJO posts no
 * webhook for, are `message.interaction` with XDM's `messageInteraction`. Herald's own ids sit
 * beside, under `herald`.
 */
export function webhookBody(event: WebhookEvent, context: WebhookBodyContext): Record<string, unknown> {
  const herald = {
    eventId: event.id,
    type: event.type,
    subscriptionId: context.subscriptionId,
    at: event.at,
  };
  if (event.type === 'webhook.test') {
    return { imsOrg: context.imsOrg, sandbox: { name: event.sandbox }, eventType: 'webhook.test', herald };
  }
  const common = {
    requestId: event.requestId ?? null,
    imsOrg: context.imsOrg,
    sandbox: { name: event.sandbox },
    channel: event.channel,
  };
  const messageExecution = {
    messageExecutionID: event.executionId,
    ...(context.messageType ? { messageType: context.messageType } : {}),
    campaignID: event.campaignId,
  };
  const ids = {
    ...herald,
    campaignId: event.campaignId,
    executionId: event.executionId,
    deliveryId: event.deliveryId,
  };
  const status = FEEDBACK_STATUS[event.type];
  if (status !== undefined) {
    return {
      ...common,
      eventType: 'message.feedback',
      messageExecution,
      messageDeliveryFeedback: deliveryFeedback(event, status),
      deliveryTimestamp: event.at,
      herald: ids,
    };
  }
  return {
    ...common,
    eventType: 'message.interaction',
    messageExecution,
    messageInteraction: {
      interactionType: INTERACTION_TYPE[event.type],
      ...(event.linkId !== undefined ? { linkID: event.linkId } : {}),
      ...(event.label !== undefined ? { label: event.label } : {}),
      ...(event.machine !== undefined ? { machine: event.machine } : {}),
    },
    interactionTimestamp: event.at,
    herald: ids,
  };
}
