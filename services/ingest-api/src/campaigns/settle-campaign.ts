import type { Campaign } from '@herald/contracts';
import { ConflictError } from '@herald/errors';
import type { Store } from '@herald/store';
import { dueStatus } from './campaign-lifecycle';

/**
 * Applies what the schedule of the live version says by `now` (scheduled → live once started,
 * live or scheduled → completed once ended) and returns the campaign as it then stands.
 * Nothing runs at the start or end instant: every read and trigger settles the campaign first,
 * through the store's compare-and-set, so concurrent callers agree on one outcome.
 */
export async function settleCampaign(store: Store, campaign: Campaign, now: Date): Promise<Campaign> {
  if (campaign.liveVersion === null || (campaign.status !== 'live' && campaign.status !== 'scheduled')) {
    return campaign;
  }
  const schedule =
    campaign.liveVersion === campaign.latestVersion
      ? campaign.definition.schedule
      : (await store.campaigns.getVersion(campaign.sandbox, campaign.id, campaign.liveVersion))?.definition
          .schedule;
  const due = dueStatus(campaign.status, schedule, now);
  if (due === null) return campaign;
  try {
    return await store.campaigns.transition(campaign.sandbox, campaign.id, {
      from: [campaign.status],
      to: due,
    });
  } catch (error) {
    // Another caller moved it first (settled it too, or stopped it): its outcome stands.
    if (!(error instanceof ConflictError && error.code === 'illegal-transition')) throw error;
    return (await store.campaigns.get(campaign.sandbox, campaign.id)) ?? campaign;
  }
}
