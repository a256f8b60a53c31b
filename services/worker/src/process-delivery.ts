import { UnrecoverableError, type Job } from 'bullmq';
import type { DeliveryJobData, ExclusionReason } from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import type { ChannelAdapter } from '@herald/channels';
import type { Logger } from '@herald/logger';
import type { DeliveryKey, DeliveryUpdate, Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import type { CampaignVersions } from './campaign-versions';
import { chooseLocale } from './choose-locale';
import { overlay, renderEmail } from './render-message';
import { resolveEmailAddress } from './resolve-address';
import { resolveProfile } from './resolve-profile';

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
 * Delivers one recipient: campaign version → profile → address → locale → render → send →
 * record. The outcome is stored before the job completes, so a crash at any point leaves the
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

  const resolution = await resolveProfile(store, data.sandbox, data.recipient, version.definition);
  if (resolution.kind === 'not-found') return exclude('profile-not-found');
  const profile = resolution.profile;
  const profileId = profile ? { profileId: profile.id } : {};

  const address = resolveEmailAddress(data.recipient, profile);
  if (!address) return exclude('no-address', profileId);

  const locale = chooseLocale(version.definition.content, data.recipient, profile);
  const rendered = await renderEmail(deps.templates, version, locale, {
    profile: overlay(profile?.attributes ?? {}, data.recipient.profile),
    context: data.recipient.context ?? {},
  });
  const emailConfig = version.definition.channelConfig.email;
  if (!emailConfig)
    throw new PermanentDeliveryError('channel-config-missing', 'campaign has no e-mail settings');

  const { providerMessageId } = await deps.adapter.send({
    channel: 'email',
    deliveryId: key.id,
    executionId: key.executionId,
    from: {
      address: emailConfig.fromAddress,
      ...(emailConfig.fromName ? { name: emailConfig.fromName } : {}),
    },
    ...(emailConfig.replyTo ? { replyTo: emailConfig.replyTo } : {}),
    to: address,
    ...rendered,
  });
  await store.deliveries.record(key, {
    event: { status: 'sent', at: new Date().toISOString() },
    address,
    ...profileId,
    providerMessageId,
    attempts,
  });
  logger.debug({ deliveryId: key.id, executionId: key.executionId, locale }, 'delivery sent');
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
