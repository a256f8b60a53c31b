import { UnrecoverableError, type Job } from 'bullmq';
import type { DeliveryJobData, ExclusionReason } from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import type { ChannelAdapter, OutboundMessage } from '@herald/channels';
import type { Logger } from '@herald/logger';
import { buildMessage, type MessageToSend } from '@herald/messages';
import type { DeliveryKey, DeliveryUpdate, Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import type { CampaignVersions } from '@herald/store';
import { resolveProfile, type ProfileResolution } from './resolve-profile';

export interface DeliveryDeps {
  store: Store;
  campaigns: CampaignVersions;
  templates: TemplateEngine;
  adapter: ChannelAdapter;
  logger: Logger;
}

export type DeliveryOutcome =
  { status: 'sent'; providerMessageId: string } | { status: 'excluded'; reason: ExclusionReason };

/**
 * Delivers one recipient: campaign version → profile → message (address, locale, render) →
 * send → record. The outcome is stored before the job completes, so a crash at any point leaves the
 * job to be retried: at most one duplicate send per in-flight job, never a loss.
 * Permanent failures are recorded and end the job without retries (BullMQ UnrecoverableError);
 * transient ones are retried with backoff and recorded as failed on the last attempt.
 */
export async function processDelivery(
  job: Job<DeliveryJobData>,
  deps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const data = job.data;
  const key = deliveryKey(data);
  const attempts = job.attemptsMade + 1;
  try {
    return await deliver(data, deps, key, attempts);
  } catch (error) {
    const permanent = error instanceof PermanentDeliveryError;
    const lastAttempt = attempts >= (job.opts.attempts ?? 1);
    const message = error instanceof Error ? error.message : String(error);
    if (permanent || lastAttempt) {
      const code = error instanceof PermanentDeliveryError ? error.code : 'retries-exhausted';
      await deps.store.deliveries.record(key, {
        event: { status: 'failed', at: new Date().toISOString(), reason: code, detail: message },
        attempts,
        lastError: message,
      });
      deps.logger.warn(
        { deliveryId: key.id, executionId: key.executionId, reason: code, attempts },
        'delivery failed',
      );
    } else {
      deps.logger.info({ deliveryId: key.id, attempts, err: message }, 'delivery attempt failed; will retry');
    }
    if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(`${error.code}: ${message}`);
    throw error;
  }
}

async function deliver(
  data: DeliveryJobData,
  deps: DeliveryDeps,
  key: DeliveryKey,
  attempts: number,
): Promise<DeliveryOutcome> {
  const { store, logger } = deps;
  const version = await deps.campaigns.get(data.sandbox, data.campaignId, data.campaignVersion);
  if (!version) {
    throw new PermanentDeliveryError(
      'campaign-version-missing',
      `campaign ${data.campaignId} version ${data.campaignVersion} does not exist`,
    );
  }
  const exclude = async (
    reason: ExclusionReason,
    update: Partial<DeliveryUpdate> = {},
  ): Promise<DeliveryOutcome> => {
    await store.deliveries.record(key, {
      ...update,
      event: { status: 'excluded', at: new Date().toISOString(), reason },
      attempts,
    });
    logger.info({ deliveryId: key.id, executionId: key.executionId, reason }, 'recipient excluded');
    return { status: 'excluded', reason };
  };

  // High-throughput calls are addressed by the call alone: the store is never read nor written.
  const resolution: ProfileResolution =
    data.mode === 'highthroughput'
      ? { kind: 'resolved', profile: null, created: false }
      : await resolveProfile(store, data.sandbox, data.recipient, version.definition);
  if (resolution.kind === 'not-found') return exclude('profile-not-found');
  const profile = resolution.profile;
  const profileId = profile ? { profileId: profile.id } : {};

  const built = await buildMessage(deps.templates, { version, recipient: data.recipient, profile });
  if (built.kind === 'excluded') return exclude(built.reason, profileId);

  const providerIds: string[] = [];
  for (const message of outboundMessages(built.message, key)) {
    providerIds.push((await deps.adapter.send(message)).providerMessageId);
  }
  const providerMessageId = providerIds.join(',');
  await store.deliveries.record(key, {
    event: { status: 'sent', at: new Date().toISOString() },
    address: addressOf(built.message),
    ...profileId,
    providerMessageId,
    attempts,
  });
  logger.debug({ deliveryId: key.id, executionId: key.executionId, locale: built.locale }, 'delivery sent');
  return { status: 'sent', providerMessageId };
}

export function deliveryKey(data: DeliveryJobData): DeliveryKey {
  return {
    id: data.deliveryId,
    sandbox: data.sandbox,
    executionId: data.executionId,
    campaignId: data.campaignId,
    campaignVersion: data.campaignVersion,
    recipientIndex: data.recipientIndex,
    channel: data.channel,
  };
}

/**
 * The adapter messages of one delivery. A push recipient with several devices gets one message
 * per subscription: the first keeps the delivery id, the others add `-s<n>`, so a retry after a
 * crash rewrites the same messages instead of adding new ones.
 */
function outboundMessages(message: MessageToSend, key: DeliveryKey): OutboundMessage[] {
  const ids = { deliveryId: key.id, executionId: key.executionId };
  if (message.channel !== 'push') return [{ ...message, ...ids }];
  const { subscriptions, ...rest } = message;
  return subscriptions.map((subscription, index) => ({
    ...rest,
    ...ids,
    deliveryId: index === 0 ? key.id : `${key.id}-s${index}`,
    subscription,
  }));
}

/** Recorded on the delivery: the e-mail address, the phone number, or the first push endpoint. */
function addressOf(message: MessageToSend): string | undefined {
  return message.channel === 'push' ? message.subscriptions[0]?.endpoint : message.to;
}
