import type { Request } from 'express';
import type { CampaignVersion, Profile, Recipient } from '@herald/contracts';
import { PermanentDeliveryError } from '@herald/errors';
import { buildMessage, messageAddresses, withoutAddresses, type MessageToSend } from '@herald/messages';
import { suppressedAddresses, type Store } from '@herald/store';
import type { TemplateEngine } from '@herald/templating';
import { principalOf } from '../auth/principal';

export interface DryRunRecipient {
  index: number;
  outcome: 'send' | 'excluded' | 'failed';
  reason?: string;
  address?: string;
  locale?: string;
  /** An `aep` recipient with no profile yet that a real trigger would create. */
  wouldCreateProfile?: boolean;
  message?: MessageToSend;
}

export interface DryRunResult {
  dryRun: true;
  campaignId: string;
  campaignVersion: number;
  recipients: DryRunRecipient[];
}

/**
 * A recipient of a dry run answered to a caller without `manage`: it passed every check of the
 * call, so a real call would queue it. Whether the worker then sends it depends on profiles, the
 * suppression list and the rendered message, which only `manage` may read.
 */
export interface RedactedDryRunRecipient {
  index: number;
  outcome: 'would-queue';
}

export interface RedactedDryRunResult {
  dryRun: true;
  campaignId: string;
  campaignVersion: number;
  recipients: RedactedDryRunRecipient[];
}

/**
 * The dry run as the caller may see it: in full with the `manage` role (which reads profiles and
 * suppressions anyway); otherwise without addresses, messages or profile outcomes, so that a key
 * that may only trigger cannot read stored addresses and attributes, nor tell a known identity
 * from an unknown one.
 */
export function dryRunAnswerFor(req: Request, result: DryRunResult): DryRunResult | RedactedDryRunResult {
  if (principalOf(req)?.roles.includes('manage')) return result;
  // Field by field: a field added to the full answer stays out of this one until chosen.
  return {
    dryRun: true,
    campaignId: result.campaignId,
    campaignVersion: result.campaignVersion,
    recipients: result.recipients.map(({ index }) => ({ index, outcome: 'would-queue' })),
  };
}

/**
 * What a trigger would send to each recipient, computed the way the worker computes it (profile,
 * then `buildMessage`), but read-only: a profile the trigger would create is not created, and
 * nothing is queued or recorded.
 */
export async function dryRunRecipients(
  deps: { store: Store; templates: TemplateEngine },
  sandbox: string,
  version: CampaignVersion,
  recipients: readonly Recipient[],
  smsRegion?: string,
): Promise<DryRunResult> {
  const results: DryRunRecipient[] = [];
  for (const [index, recipient] of recipients.entries()) {
    results.push(await dryRunOne(deps, sandbox, version, recipient, index, smsRegion));
  }
  return {
    dryRun: true,
    campaignId: version.campaignId,
    campaignVersion: version.version,
    recipients: results,
  };
}

async function dryRunOne(
  deps: { store: Store; templates: TemplateEngine },
  sandbox: string,
  version: CampaignVersion,
  recipient: Recipient,
  index: number,
  smsRegion: string | undefined,
): Promise<DryRunRecipient> {
  let profile: Profile | null = null;
  let wouldCreateProfile = false;
  if (recipient.type === 'aep') {
    profile = await deps.store.profiles.findByIdentity(sandbox, {
      namespace: recipient.namespace,
      id: recipient.userId,
    });
    if (!profile && !version.definition.createProfiles) {
      return { index, outcome: 'excluded', reason: 'profile-not-found' };
    }
    wouldCreateProfile = profile === null;
  }
  const created = wouldCreateProfile ? { wouldCreateProfile: true } : {};
  try {
    const built = await buildMessage(deps.templates, {
      version,
      recipient,
      profile,
      sandboxSmsRegion: smsRegion,
    });
    if (built.kind === 'excluded') {
      return { index, outcome: 'excluded', reason: built.reason, locale: built.locale, ...created };
    }
    const addresses = messageAddresses(built.message);
    // Unitary and highthroughput campaigns are transactional: the suppression list is the only
    // policy that applies to them (consent, caps and quiet hours are for marketing).
    const suppressed = await suppressedAddresses(deps.store, sandbox, version.definition, addresses);
    if (suppressed.size === addresses.length) {
      const address = addresses[0];
      return {
        index,
        outcome: 'excluded',
        reason: 'suppressed',
        ...(address ? { address } : {}),
        locale: built.locale,
        ...created,
      };
    }
    // The worker sends to a push recipient's other subscriptions only: so does the message shown.
    const message = withoutAddresses(built.message, suppressed);
    const address = messageAddresses(message)[0];
    return {
      index,
      outcome: 'send',
      ...(address ? { address } : {}),
      locale: built.locale,
      ...created,
      message,
    };
  } catch (error) {
    if (!(error instanceof PermanentDeliveryError)) throw error;
    return { index, outcome: 'failed', reason: error.code, ...created };
  }
}
