import type { EngagementCountRow } from '@herald/store';
import {
  domainsOf,
  engagementReport,
  linksOf,
  ratesOf,
  reasonsOf,
  seriesOf,
  totalsOf,
  type EngagementCounts,
} from './engagement-report';
import type { ReportWindow } from './report-window';

const WINDOW: ReportWindow = {
  from: '2026-12-07T10:00:00.000Z',
  to: '2026-12-07T10:03:00.000Z',
  granularity: 'minute',
};

function row(
  group: string | null,
  kind: EngagementCountRow['kind'],
  total: number,
  unique = total,
  extra: Partial<EngagementCountRow> = {},
): EngagementCountRow {
  return { group, kind, machine: false, total, unique, ...extra };
}

function counts(overrides: Partial<EngagementCounts> = {}): EngagementCounts {
  const hits = { total: 0, unique: 0, human: 0, machine: 0 };
  return {
    sent: 0,
    delivered: 0,
    bounced: 0,
    failed: 0,
    excluded: 0,
    opened: hits,
    clicked: hits,
    unsubscribed: 0,
    ...overrides,
  };
}

describe('seriesOf', () => {
  it('answers every bucket of the window in order, zeros included', () => {
    const series = seriesOf(WINDOW, [row('2026-12-07T10:01:00Z', 'sent', 4)]);
    expect(series.map((point) => point.start)).toEqual([
      '2026-12-07T10:00:00.000Z',
      '2026-12-07T10:01:00.000Z',
      '2026-12-07T10:02:00.000Z',
    ]);
    expect(series[0]).toEqual({ start: '2026-12-07T10:00:00.000Z', ...counts() });
    expect(series[1]?.sent).toBe(4);
  });

  it('splits opens into human and machine hits, unique counting human deliveries only', () => {
    const series = seriesOf(WINDOW, [
      row('2026-12-07T10:00:00.000Z', 'opened', 5, 3),
      row('2026-12-07T10:00:00.000Z', 'opened', 4, 4, { machine: true }),
      row('2026-12-07T10:00:00.000Z', 'clicked', 2, 1),
      row('2026-12-07T10:00:00.000Z', 'unsubscribed', 1),
    ]);
    expect(series[0]).toMatchObject({
      opened: { total: 9, unique: 3, human: 5, machine: 4 },
      clicked: { total: 2, unique: 1, human: 2, machine: 0 },
      unsubscribed: 1,
    });
  });

  it('ignores a row outside the window', () => {
    const series = seriesOf(WINDOW, [row('2026-12-07T09:59:00.000Z', 'sent', 1), row(null, 'sent', 1)]);
    expect(series.every((point) => point.sent === 0)).toBe(true);
  });
});

describe('totalsOf', () => {
  it('sums deliveries over reasons, and takes unique opens from the bucket-less count as they are', () => {
    const totals = totalsOf([
      row(null, 'sent', 10),
      row(null, 'delivered', 8),
      row('suppressed', 'excluded', 2),
      row('no-consent', 'excluded', 1),
      row('provider-rejected', 'failed', 1),
      row('mailbox-full', 'bounced', 1),
      // Two opens by one delivery in two buckets: one unique delivery over the window.
      row(null, 'opened', 2, 1),
    ]);
    expect(totals).toEqual(
      counts({
        sent: 10,
        delivered: 8,
        excluded: 3,
        failed: 1,
        bounced: 1,
        opened: { total: 2, unique: 1, human: 2, machine: 0 },
      }),
    );
  });
});

describe('breakdowns', () => {
  it('gives clicks per link in link order, with its label, clicks without a link last', () => {
    const links = linksOf([
      row('10', 'clicked', 1),
      row('2', 'clicked', 3, 2, { label: 'hero' }),
      row('2', 'clicked', 1, 1, { machine: true, label: 'hero' }),
      row(null, 'clicked', 1),
      row('2', 'opened', 7),
    ]);
    expect(links).toEqual([
      { linkId: '2', label: 'hero', total: 4, unique: 2, human: 3, machine: 1 },
      { linkId: '10', label: null, total: 1, unique: 1, human: 1, machine: 0 },
      { linkId: null, label: null, total: 1, unique: 1, human: 1, machine: 0 },
    ]);
  });

  it('gives per domain deliveries and unique human opens and clicks, most sent first', () => {
    expect(
      domainsOf([
        row('example.org', 'sent', 1),
        row('example.com', 'sent', 3),
        row('example.com', 'delivered', 2),
        row('example.com', 'opened', 5, 2),
        row('example.com', 'opened', 9, 3, { machine: true }),
        row('example.com', 'clicked', 1),
        row(null, 'sent', 3),
      ]),
    ).toEqual([
      { domain: 'example.com', sent: 3, delivered: 2, bounced: 0, opened: 2, clicked: 1 },
      { domain: null, sent: 3, delivered: 0, bounced: 0, opened: 0, clicked: 0 },
      { domain: 'example.org', sent: 1, delivered: 0, bounced: 0, opened: 0, clicked: 0 },
    ]);
  });

  it('gives reasons of one kind, most frequent first', () => {
    const rows = [
      row('suppressed', 'excluded', 1),
      row('no-consent', 'excluded', 4),
      row('provider-rejected', 'failed', 2),
    ];
    expect(reasonsOf(rows, 'excluded')).toEqual([
      { reason: 'no-consent', count: 4 },
      { reason: 'suppressed', count: 1 },
    ]);
    expect(reasonsOf(rows, 'bounced')).toEqual([]);
  });
});

describe('ratesOf', () => {
  it('divides unique human opens and clicks by delivered messages', () => {
    expect(
      ratesOf(
        counts({
          sent: 200,
          delivered: 150,
          bounced: 10,
          opened: { total: 90, unique: 50, human: 70, machine: 20 },
          clicked: { total: 30, unique: 15, human: 30, machine: 0 },
        }),
      ),
    ).toEqual({ delivery: 0.75, open: 0.3333, clickThrough: 0.1, bounce: 0.05, basis: 'delivered' });
  });

  it('divides by sent messages when the window holds no delivery event, and leaves the delivery rate unknown', () => {
    expect(ratesOf(counts({ sent: 8, opened: { total: 3, unique: 2, human: 3, machine: 0 } }))).toEqual({
      delivery: null,
      open: 0.25,
      clickThrough: 0,
      bounce: 0,
      basis: 'sent',
    });
  });

  it('answers null rates when nothing was sent', () => {
    expect(ratesOf(counts())).toEqual({
      delivery: null,
      open: null,
      clickThrough: null,
      bounce: null,
      basis: null,
    });
  });
});

describe('engagementReport', () => {
  it('takes window unique counts from the bucket-less count, not from sums of buckets', () => {
    const report = engagementReport(WINDOW, {
      buckets: [row('2026-12-07T10:00:00.000Z', 'clicked', 1), row('2026-12-07T10:01:00.000Z', 'clicked', 1)],
      links: [],
      domains: [],
      locales: [],
      reasons: [row(null, 'sent', 1), row(null, 'clicked', 2, 1)],
    });
    const bucketUniques = report.series.reduce((sum, point) => sum + point.clicked.unique, 0);
    expect(bucketUniques).toBe(2);
    expect(report.totals.clicked).toEqual({ total: 2, unique: 1, human: 2, machine: 0 });
    expect(report).toMatchObject({ ...WINDOW, rates: { clickThrough: 1, basis: 'sent' } });
  });
});
