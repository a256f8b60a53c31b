import { NotFoundError } from '@herald/errors';
import { deliveryCountsFrom, type DeliveryCounters, type DeliveryCounts } from '@herald/queues';
import type { Store } from '@herald/store';
import { visibleCampaign } from '../auth/campaign-access';
import { settleCampaign } from '../campaigns/settle-campaign';
import type { EngagementReport } from './engagement-report';
import { EngagementReportService } from './engagement-report.service';
import type { ReportWindow } from './report-window';

/** All-time counts from the counters, and the engagement events of a window. */
export interface CampaignReport extends EngagementReport {
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

/**
 * Outcomes of a campaign across all its executions: all-time, from the counters the workers keep;
 * over a window, from the engagement events.
 */
export class CampaignReportService {
  private readonly overTime: EngagementReportService;

  constructor(private readonly deps: { store: Store; counters: DeliveryCounters }) {
    this.overTime = new EngagementReportService(deps.store.engagement);
  }

  /** Not found also when the caller lacks one of the campaign's labels (`held`). */
  async report(
    sandbox: string,
    campaignId: string,
    window: ReportWindow,
    held: readonly string[],
  ): Promise<CampaignReport> {
    const stored = visibleCampaign(held, await this.deps.store.campaigns.get(sandbox, campaignId));
    if (!stored) {
      throw new NotFoundError('campaign-not-found', `Campaign ${campaignId} does not exist in this sandbox.`);
    }
    // The status a campaign read answers: a schedule's start or end may have passed since it was stored.
    const campaign = await settleCampaign(this.deps.store, stored, new Date());
    const [live, overTime] = await Promise.all([
      this.deps.counters.campaign(sandbox, campaignId),
      this.overTime.overTime(sandbox, { campaignId }, window),
    ]);
    return {
      campaignId,
      status: campaign.status,
      liveVersion: campaign.liveVersion,
      counts: live ?? deliveryCountsFrom({ byStatus: {}, excludedByReason: {}, failedByReason: {} }),
      countsSource: live ? 'live' : 'none',
      ...overTime,
    };
  }
}
