import type { CampaignVersion } from '@herald/contracts';
import { NotFoundError, ValidationError } from '@herald/errors';
import type { Store } from '@herald/store';
import { visibleCampaign } from '../auth/campaign-access';
import { sampleFromSchema } from '../campaigns/sample-context';
import type { ContextValidators } from '../triggers/context-validators';
import { toFieldErrors } from '../validation/ajv';

/**
 * A version of a campaign: the one asked for, else the newest (the draft being edited). Not
 * found for a caller lacking the campaign's labels (`held`).
 */
export async function campaignVersion(
  store: Store,
  sandbox: string,
  campaignId: string,
  version: number | undefined,
  held: readonly string[],
): Promise<CampaignVersion> {
  const campaign = visibleCampaign(held, await store.campaigns.get(sandbox, campaignId));
  if (!campaign) {
    throw new NotFoundError(
      'campaign-not-found',
      `campaign ${campaignId} does not exist in sandbox ${sandbox}`,
    );
  }
  const wanted = version ?? campaign.latestVersion;
  const found = await store.campaigns.getVersion(sandbox, campaignId, wanted);
  if (!found)
    throw new NotFoundError('campaign-version-not-found', `campaign ${campaignId} has no version ${wanted}`);
  return found;
}

/** The context a tool renders with: the one given, checked against the campaign's context schema, else sample values. */
export function contextFor(
  validators: ContextValidators,
  version: CampaignVersion,
  given: Record<string, unknown> | undefined,
  path: string,
): Record<string, unknown> {
  if (given === undefined) return sampleContext(version);
  const validate = validators.for(version);
  if (!validate(given)) {
    throw new ValidationError(
      'invalid-context',
      "The context does not match the campaign's context schema.",
      toFieldErrors(validate.errors, path),
    );
  }
  return given;
}

export function sampleContext(version: CampaignVersion): Record<string, unknown> {
  const sample = sampleFromSchema(version.definition.contextSchema);
  return isRecord(sample) ? sample : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
