import type { EngagementRepository, EngagementScope } from '@herald/store';
import { engagementReport, type EngagementReport } from './engagement-report';
import { BUCKET_SECONDS, type ReportWindow } from './report-window';

/** Whose events a report counts: a campaign's (all its executions) or one execution's. */
export type EngagementTarget = { campaignId: string } | { executionId: string };

/**
 * Reports over time from the engagement events: the series, breakdowns, totals and rates of a
 * window, in five counts the store answers in parallel.
 */
export class EngagementReportService {
  constructor(private readonly engagement: EngagementRepository) {}

  async overTime(sandbox: string, target: EngagementTarget, window: ReportWindow): Promise<EngagementReport> {
    const scope: EngagementScope = { sandbox, ...target, from: window.from, to: window.to };
    const [buckets, links, domains, locales, reasons] = await Promise.all([
      this.engagement.count(scope, { by: 'bucket', bucketSeconds: BUCKET_SECONDS[window.granularity] }),
      this.engagement.count(scope, { by: 'link' }),
      this.engagement.count(scope, { by: 'domain' }),
      this.engagement.count(scope, { by: 'locale' }),
      this.engagement.count(scope, { by: 'reason' }),
    ]);
    return engagementReport(window, { buckets, links, domains, locales, reasons });
  }
}
