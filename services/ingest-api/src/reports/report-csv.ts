import type { SeriesPoint } from './engagement-report';
import type { ReportWindow } from './report-window';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

export const SERIES_CSV_COLUMNS = [
  'start',
  'sent',
  'delivered',
  'bounced',
  'failed',
  'excluded',
  'opened_total',
  'opened_unique',
  'opened_human',
  'opened_machine',
  'clicked_total',
  'clicked_unique',
  'clicked_human',
  'clicked_machine',
  'unsubscribed',
] as const;

/**
 * The series as RFC 4180 CSV: a header row, then one row per bucket. Every cell is a number or
 * an ISO date, so none needs quoting.
 */
export function seriesCsv(series: readonly SeriesPoint[]): string {
  const rows = series.map((point) =>
    [
      point.start,
      point.sent,
      point.delivered,
      point.bounced,
      point.failed,
      point.excluded,
      point.opened.total,
      point.opened.unique,
      point.opened.human,
      point.opened.machine,
      point.clicked.total,
      point.clicked.unique,
      point.clicked.human,
      point.clicked.machine,
      point.unsubscribed,
    ].join(','),
  );
  return [SERIES_CSV_COLUMNS.join(','), ...rows].map((row) => `${row}\r\n`).join('');
}

/** `2026-12-07T10:00:00.000Z` → `20261207T1000Z`. */
function compactInstant(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\d{2}\.\d{3}Z$/, 'Z');
}

/**
 * The download's file name, e.g. `campaign-<id>-20261206T1000Z-20261207T1000Z-minute.csv`; the id's
 * characters outside `[A-Za-z0-9._-]` become `_`, so the name needs no quoting rules of its own.
 */
export function seriesCsvFilename(
  subject: 'campaign' | 'execution',
  id: string,
  window: ReportWindow,
): string {
  const safeId = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return `${subject}-${safeId}-${compactInstant(window.from)}-${compactInstant(window.to)}-${window.granularity}.csv`;
}
