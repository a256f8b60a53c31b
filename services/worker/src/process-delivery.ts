import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { DeliveryJobData, ExclusionReason, Profile } from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import { buildMessage, chooseLocale, messageAddresses, withoutAddresses } from '@herald/messages';
import {
  suppressedAddresses,
  type DeliveryKey,
  type DeliveryUpdate,
  type MirrorPage,
  type ShortLink,
} from '@herald/store';
import type { DeliveryDeps } from './delivery-deps';
import { resolveProfile, type ProfileResolution } from './resolve-profile';
import { jobKeyProblems, recipientProblems } from './job-data-check';
import { sendMessage } from './send-message';
import { jobLogger } from './job-logger';
import { HeldByBreaker } from './provider-breaker';

/** AJO's rule: a message the campaign throttle cannot fit in within 12 h is dropped. */
const THROTTLE_MAX_WAIT_MS = 12 * 3600 * 1000;
/** A throttle slot this close is taken at once rather than by a delayed job. */
const THROTTLE_TOLERANCE_MS = 5;

export type DeliveryOutcome =
  | { status: 'sent'; providerMessageId: string }
  | { status: 'excluded'; reason: ExclusionReason }
  | { status: 'deferred'; until: number };

/** What the processor learnt along the way that the failure path needs to undo. */
interface Progress {
  capTaken: boolean;
  profile: Profile | null;
  /** The campaign's `enableWebhooks`, once its version is read: outcomes go to feedback webhooks. */
  webhooks: boolean;
}

/**
 * Delivers one recipient: campaign → profile → policy → message → policy → throttle → send →
 * record. The outcome is stored before the job completes, so a crash at any point leaves the
 * job to be retried: at most one duplicate send per in-flight job, never a loss. Deferrals
 * (quiet hours, throttle) move the job back to the delayed set without using an attempt.
 * Permanent failures are recorded and end the job at once (BullMQ UnrecoverableError);
 * transient ones are retried with backoff and recorded as failed on the last attempt, unless the
 * provider's breaker holds them back (HeldByBreaker): then they keep their attempt.
 */
export async function processDelivery(
  job: Job<DeliveryJobData>,
  token: string | undefined,
  sharedDeps: DeliveryDeps,
): Promise<DeliveryOutcome> {
  const deps: DeliveryDeps = { ...sharedDeps, logger: jobLogger(sharedDeps.logger, job) };
  const data = job.data;
  const malformed = jobKeyProblems(data);
  if (malformed.length > 0) {
    // No record can be keyed by these fields: the job goes to the dead letter with the reason.
    deps.logger.error({ problems: malformed }, 'malformed delivery job failed unsent');
    throw new UnrecoverableError(`invalid-job: ${malformed.join('; ')}`);
  }
  const key = deliveryKey(data);
  const attempts = job.attemptsMade + 1;
  const progress: Progress = { capTaken: false, profile: null, webhooks: false };
  let outcome: DeliveryOutcome;
  try {
    outcome = await deliver(job, deps, key, attempts, progress);
  } catch (error) {
    // The provider's open breaker holds the job back: no attempt used, nothing to record.
    if (error instanceof HeldByBreaker) throw error;
    const permanent = error instanceof PermanentDeliveryError;
    const lastAttempt = attempts >= (job.opts.attempts ?? 1);
    const message = error instanceof Error ? error.message : String(error);
    if (permanent || lastAttempt) {
      const code = error instanceof PermanentDeliveryError ? error.code : 'retries-exhausted';
      await releaseCap(deps, data, progress);
      await deps.recorder.record(
        key,
        {
          event: { status: 'failed', at: new Date().toISOString(), reason: code, detail: message },
          attempts,
          lastError: message,
        },
        { webhooks: progress.webhooks },
      );
      deps.logger.warn({ deliveryId: key.id, reason: code, attempts }, 'delivery failed');
    } else {
      deps.logger.info({ deliveryId: key.id, attempts, err: message }, 'delivery attempt failed; will retry');
    }
    if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(`${error.code}: ${message}`);
    throw error;
  }
  if (outcome.status === 'deferred') {
    await job.moveToDelayed(outcome.until, token);
    // The job is no longer ours once delayed: a counter failure must not reach BullMQ as a job failure.
    await deps.counters
      .addDeferred({ sandbox: data.sandbox, executionId: data.executionId, campaignId: data.campaignId })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'cannot count a deferral'));
    throw new DelayedError();
  }
  return outcome;
}

/** Gives back a frequency-cap place taken by this attempt or by an earlier one (ZREM is idempotent). */
async function releaseCap(deps: DeliveryDeps, data: DeliveryJobData, progress: Progress): Promise<void> {
  const profileId = progress.capTaken ? progress.profile?.id : data.capHeldBy;
  if (profileId) await deps.policy.releaseCap(data.sandbox, data.channel, profileId, data.deliveryId);
}

async function deliver(
  job: Job<DeliveryJobData>,
  deps: DeliveryDeps,
  key: DeliveryKey,
  attempts: number,
  progress: Progress,
): Promise<DeliveryOutcome> {
  // With its context (an audience member's is its execution's); job.data is what is updated.
  const data = await deps.executionContexts.resolve(job.data);
  const recipientFaults = recipientProblems(data.recipient);
  if (recipientFaults.length > 0) throw new PermanentDeliveryError('invalid-job', recipientFaults.join('; '));
  const { policy } = deps;
  const version = await deps.campaigns.get(data.sandbox, data.campaignId, data.campaignVersion);
  if (!version) {
    throw new PermanentDeliveryError(
      'campaign-version-missing',
      `campaign ${data.campaignId} version ${data.campaignVersion} does not exist`,
    );
  }
  const definition = version.definition;
  progress.webhooks = definition.enableWebhooks === true;
  const exclude = async (
    reason: ExclusionReason,
    update: Partial<DeliveryUpdate> = {},
  ): Promise<DeliveryOutcome> => {
    await releaseCap(deps, data, progress);
    await deps.recorder.record(
      key,
      { ...update, event: { status: 'excluded', at: new Date().toISOString(), reason }, attempts },
      { webhooks: progress.webhooks },
    );
    deps.logger.info({ deliveryId: key.id, reason }, 'recipient excluded');
    return { status: 'excluded', reason };
  };

  const now = new Date();
  if (await policy.campaignEnded(data.sandbox, data.campaignId, definition, now)) {
    return exclude('campaign-not-live');
  }
  // High-throughput calls are addressed by the call alone: the store is never read nor written.
  const resolution: ProfileResolution =
    data.mode === 'highthroughput'
      ? { kind: 'resolved', profile: null, created: false }
      : await resolveProfile(deps.store, deps.profileCreator, data.sandbox, data.recipient, definition);
  if (resolution.kind === 'not-found') return exclude('profile-not-found');
  const profile = resolution.profile;
  progress.profile = profile;
  const profileId = profile ? { profileId: profile.id } : {};

  const early = await policy.beforeRender(data.sandbox, definition, profile, now);
  if (early.kind === 'exclude') return exclude(early.reason, profileId);
  if (early.kind === 'defer') {
    // The throttle's 12 h wait counts from the end of the quiet hours, not from the call.
    await job.updateData({ ...job.data, deferredUntil: early.until.getTime() });
    return { status: 'deferred', until: early.until.getTime() };
  }

  const sandboxSmsRegion =
    definition.channel === 'sms' ? await policy.sandboxSmsRegion(data.sandbox) : undefined;
  // Chosen before rendering: the tracker links the template may name carry the locale.
  const locale = chooseLocale(definition.content, data.recipient, profile);
  const links =
    definition.channel === 'email'
      ? deps.emailTracking.links(definition, key, locale, profile?.id)
      : undefined;
  const built = await buildMessage(deps.templates, {
    version,
    recipient: data.recipient,
    profile,
    sandboxSmsRegion,
    locale,
    ...(links ? { links } : {}),
  });
  if (built.kind === 'excluded') return exclude(built.reason, profileId);
  let mirror: MirrorPage | undefined;
  let shortLinks: ShortLink[] = [];
  if (built.message.channel === 'email' && links) {
    const tracked = deps.emailTracking.prepare(built.message, definition, key, locale, links);
    built.message = tracked.message;
    mirror = tracked.mirror;
  } else if (built.message.channel === 'sms') {
    const tracked = deps.smsTracking.prepare(built.message, definition, key, locale);
    built.message = tracked.message;
    shortLinks = tracked.links;
  }
  const addressesBuilt = messageAddresses(built.message);
  const suppressed = await suppressedAddresses(deps.store, data.sandbox, definition, addressesBuilt);
  const message = withoutAddresses(built.message, suppressed);
  const addresses = messageAddresses(message);
  if (suppressed.size > 0 && (message.channel !== 'push' || addresses.length === 0)) {
    return exclude('suppressed', profileId);
  }
  const capped = await policy.takeFrequencyCap(data.sandbox, definition, profile, key.id);
  if (capped.kind === 'exclude') return exclude(capped.reason, profileId);
  progress.capTaken = capped.taken;

  const perSecond = definition.throttle?.perSecond;
  if (perSecond) {
    const held = data.throttleSlotAt;
    // A job holding a slot sends once the slot has come, however late its turn in the queue came:
    // the slot is already counted in the campaign's schedule, so sending cannot exceed the rate.
    if (held !== undefined && held - Date.now() > THROTTLE_TOLERANCE_MS) {
      return { status: 'deferred', until: held };
    }
    if (held === undefined) {
      const deadline = Math.max(Date.parse(data.queuedAt), data.deferredUntil ?? 0) + THROTTLE_MAX_WAIT_MS;
      const slot = await deps.throttle.reserve(data.sandbox, data.campaignId, perSecond, deadline);
      if (!slot.reserved) return exclude('throttle-expired', profileId);
      if (slot.slotAt - slot.now > THROTTLE_TOLERANCE_MS) {
        const capHeldBy = progress.capTaken && profile ? { capHeldBy: profile.id } : {};
        await job.updateData({ ...job.data, throttleSlotAt: slot.slotAt, ...capHeldBy });
        return { status: 'deferred', until: slot.slotAt };
      }
    }
  }

  if (mirror) await deps.emailTracking.keepMirror(mirror);
  await deps.smsTracking.keep(shortLinks);
  const providerMessageId = await sendMessage(deps, message, key, profile);
  await deps.recorder.record(
    key,
    {
      event: { status: 'sent', at: new Date().toISOString() },
      ...(addresses[0] ? { address: addresses[0] } : {}),
      ...profileId,
      providerMessageId,
      attempts,
    },
    { locale, webhooks: progress.webhooks },
  );
  deps.logger.debug({ deliveryId: key.id, locale: built.locale }, 'delivery sent');
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
