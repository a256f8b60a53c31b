import type { Campaign, CampaignVersion } from '@herald/contracts';
import { ConflictError, NotFoundError, UnprocessableError } from '@herald/errors';
import type { CampaignVersions, Store } from '@herald/store';
import { visibleCampaign } from '../auth/campaign-access';
import { settleCampaign } from '../campaigns/settle-campaign';

export interface LiveCampaign {
  campaign: Campaign;
  version: CampaignVersion;
}

/**
 * The campaign a trigger addresses and its live version, once its schedule has been applied.
 * Each reason it cannot be triggered has its own code: not found (also when the caller lacks
 * one of its labels, `held`), outside its schedule, not live.
 */
export async function liveCampaign(
  store: Store,
  versions: CampaignVersions,
  sandbox: string,
  campaignId: string,
  held: readonly string[],
  now: Date = new Date(),
): Promise<LiveCampaign> {
  const stored = visibleCampaign(held, await store.campaigns.get(sandbox, campaignId));
  if (!stored) {
    throw new NotFoundError(
      'campaign-not-found',
      `campaign ${campaignId} does not exist in sandbox ${sandbox}`,
    );
  }
  const campaign = await settleCampaign(store, stored, now);
  if (campaign.status === 'scheduled' || campaign.status === 'completed') {
    throw new ConflictError(
      'campaign-outside-schedule',
      `campaign ${campaignId} is ${campaign.status}: it accepts triggers only between its schedule start and end`,
    );
  }
  if (campaign.status !== 'live' || campaign.liveVersion === null) {
    throw new ConflictError('campaign-not-live', `campaign ${campaignId} is ${campaign.status}, not live`);
  }
  // Versions are immutable: the cache saves a store read on every trigger call.
  const version = await versions.get(sandbox, campaignId, campaign.liveVersion);
  if (!version) {
    throw new NotFoundError(
      'campaign-not-found',
      `campaign ${campaignId} has no version ${campaign.liveVersion}`,
    );
  }
  return { campaign, version };
}

/** The live campaign of a unitary or highthroughput call: transactional only (marketing goes by audience). */
export async function liveTransactionalCampaign(
  store: Store,
  versions: CampaignVersions,
  sandbox: string,
  campaignId: string,
  held: readonly string[],
): Promise<LiveCampaign> {
  const live = await liveCampaign(store, versions, sandbox, campaignId, held);
  if (live.version.definition.type !== 'transactional') {
    throw new UnprocessableError(
      'wrong-endpoint-for-campaign',
      `campaign ${campaignId} is a ${live.version.definition.type} campaign: trigger it with POST /im/executions/audience; unitary and highthroughput calls are for transactional campaigns`,
    );
  }
  return live;
}
