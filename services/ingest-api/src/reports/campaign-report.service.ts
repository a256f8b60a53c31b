import { NotFoundError } from '@herald/errors';
import { deliveryCountsFrom, type DeliveryCounters, type DeliveryCounts } from '@herald/queues';
import type { Store } from '@herald/store';
import { settleCampaign } from '../campaigns/settle-campaign';

export interface CampaignReport {
  campaignId: string;
  status: string;
  liveVersion: number | null;
  counts: DeliveryCounts;
  /**
   * `live`: Redis counters of every execution of the campaign. `none`: no counter exists (nothing
   * finished within their 30-day life, or Redis lost them); per-execution reports still rebuild
   * their counts from the store.
   */
  countsSource: 'live' | 'none';
}

/** Outcomes of a campaign across all its executions, from the counters the workers keep. */
export class CampaignReportService {
  constructor(private readonly deps: { store: Store; counters: DeliveryCounters }) {}

  async report(sandbox: string, campaignId: string): Promise<CampaignReport> {
    const stored = await this.deps.store.campaigns.get(sandbox, campaignId);
    if (!stored) {
      throw new NotFoundError('campaign-not-found', `Campaign ${campaignId} does not exist in this sandbox.`);
    }
    // The status a campaign read answers: a schedule's start or end may have passed since it was stored.
    const campaign = await settleCampaign(this.deps.store, stored, new Date());
    const live = await this.deps.counters.campaign(sandbox, campaignId);
    return {
      campaignId,
      status: campaign.status,
      liveVersion: campaign.liveVersion,
      counts: live ?? deliveryCountsFrom({ byStatus: {}, excludedByReason: {}, failedByReason: {} }),
      countsSource: live ? 'live' : 'none',
    };
  }
}
