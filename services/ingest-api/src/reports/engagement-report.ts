import type { EngagementCountRow, EngagementKind } from '@herald/store';
import { bucketStarts, type ReportWindow } from './report-window';

/**
 * Opens or clicks: `human` and `machine` count events (hits), `total` both; `unique` counts
 * deliveries with at least one human hit (machine hits, such as a privacy proxy's prefetch, are
 * not engagement).
 */
export interface HitCounts {
  total: number;
  unique: number;
  human: number;
  machine: number;
}

/** Deliveries by what happened to them; opens and clicks as `HitCounts`. */
export interface EngagementCounts {
  sent: number;
  delivered: number;
  bounced: number;
  failed: number;
  excluded: number;
  opened: HitCounts;
  clicked: HitCounts;
  unsubscribed: number;
}

export interface SeriesPoint extends EngagementCounts {
  /** The bucket's start, ISO 8601. */
  start: string;
}

export interface LinkBreakdown extends HitCounts {
  /** The link's id in the message (its position, `0`, `1`, …); null for a click without one. */
  linkId: string | null;
  label: string | null;
}

/** Deliveries of one recipient domain or locale; `opened` and `clicked` count unique human hits. */
export interface SliceCounts {
  sent: number;
  delivered: number;
  bounced: number;
  opened: number;
  clicked: number;
}

export interface ReasonCount {
  reason: string | null;
  count: number;
}

export interface EngagementBreakdowns {
  links: LinkBreakdown[];
  domains: Array<{ domain: string | null } & SliceCounts>;
  locales: Array<{ locale: string | null } & SliceCounts>;
  exclusions: ReasonCount[];
  failures: ReasonCount[];
  bounces: ReasonCount[];
}

/**
 * Fractions from 0 to 1 (4 decimals), null without a denominator. Opens and clicks are over
 * delivered messages, or over sent ones when the window holds no delivery event (`basis`).
 */
export interface EngagementRates {
  delivery: number | null;
  open: number | null;
  clickThrough: number | null;
  bounce: number | null;
  basis: 'delivered' | 'sent' | null;
}

/** What a report over time adds to the report it extends. */
export interface EngagementReport extends ReportWindow {
  totals: EngagementCounts;
  series: SeriesPoint[];
  breakdowns: EngagementBreakdowns;
  rates: EngagementRates;
}

/** The store's counts a report is made of, one `count` call per grouping. */
export interface EngagementCountSet {
  buckets: readonly EngagementCountRow[];
  links: readonly EngagementCountRow[];
  domains: readonly EngagementCountRow[];
  locales: readonly EngagementCountRow[];
  /** Bucket-less counts over the window: the totals, and their unique deliveries, come from here. */
  reasons: readonly EngagementCountRow[];
}

function emptyHits(): HitCounts {
  return { total: 0, unique: 0, human: 0, machine: 0 };
}

function emptyCounts(): EngagementCounts {
  return {
    sent: 0,
    delivered: 0,
    bounced: 0,
    failed: 0,
    excluded: 0,
    opened: emptyHits(),
    clicked: emptyHits(),
    unsubscribed: 0,
  };
}

function addHits(hits: HitCounts, row: EngagementCountRow): void {
  hits.total += row.total;
  if (row.machine) hits.machine += row.total;
  else {
    hits.human += row.total;
    hits.unique += row.unique;
  }
}

/**
 * Adds one row. Kinds other than opens and clicks happen once per delivery, so their distinct
 * deliveries are summed; rows of one group differ by kind and machine flag only, so a group's sums
 * never count a delivery twice, while sums across groups (buckets) would for opens and clicks.
 */
function addRow(counts: EngagementCounts, row: EngagementCountRow): void {
  const kind: EngagementKind = row.kind;
  if (kind === 'opened' || kind === 'clicked') addHits(counts[kind], row);
  else counts[kind] += row.unique;
}

/** Every bucket of the window, zeros included, from rows grouped by bucket. */
export function seriesOf(window: ReportWindow, rows: readonly EngagementCountRow[]): SeriesPoint[] {
  const points = bucketStarts(window).map((start) => ({ start, ...emptyCounts() }));
  const byStart = new Map(points.map((point) => [Date.parse(point.start), point]));
  for (const row of rows) {
    // The store's ISO text may differ in form (milliseconds or not): match on the instant.
    const point = row.group === null ? undefined : byStart.get(Date.parse(row.group));
    if (point) addRow(point, row);
  }
  return points;
}

/** Counts over the whole window from one bucket-less grouping (its groups are disjoint per kind). */
export function totalsOf(rows: readonly EngagementCountRow[]): EngagementCounts {
  const counts = emptyCounts();
  for (const row of rows) addRow(counts, row);
  return counts;
}

/** The rows by group, each group folded into one entry, in the order groups first appear. */
function grouped<T>(
  rows: readonly EngagementCountRow[],
  fold: (group: string | null, rows: EngagementCountRow[]) => T,
): T[] {
  const groups = new Map<string | null, EngagementCountRow[]>();
  for (const row of rows) {
    const members = groups.get(row.group);
    if (members) members.push(row);
    else groups.set(row.group, [row]);
  }
  return [...groups].map(([group, members]) => fold(group, members));
}

/** The group without a value (null) last; others by `compare`. */
function nullLast(a: string | null, b: string | null, compare: (x: string, y: string) => number): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return compare(a, b);
}

/** Link ids are positions: numeric order. */
const numeric = (x: string, y: string): number => x.localeCompare(y, 'en', { numeric: true });
const alphabetical = (x: string, y: string): number => x.localeCompare(y, 'en');

export function linksOf(rows: readonly EngagementCountRow[]): LinkBreakdown[] {
  return grouped(
    rows.filter((row) => row.kind === 'clicked'),
    (linkId, members) => {
      const hits = emptyHits();
      for (const row of members) addHits(hits, row);
      const label = members.find((row) => row.label !== undefined)?.label ?? null;
      return { linkId, label, ...hits };
    },
  ).sort((a, b) => nullLast(a.linkId, b.linkId, numeric));
}

function sliceOf(members: readonly EngagementCountRow[]): SliceCounts {
  const counts = emptyCounts();
  for (const row of members) addRow(counts, row);
  return {
    sent: counts.sent,
    delivered: counts.delivered,
    bounced: counts.bounced,
    opened: counts.opened.unique,
    clicked: counts.clicked.unique,
  };
}

/** Most sent first, then by name. */
function bySentThenName<K extends string>(key: K) {
  return (a: Record<K, string | null> & SliceCounts, b: Record<K, string | null> & SliceCounts): number =>
    b.sent - a.sent || nullLast(a[key], b[key], alphabetical);
}

export function domainsOf(rows: readonly EngagementCountRow[]): EngagementBreakdowns['domains'] {
  return grouped(rows, (domain, members) => ({ domain, ...sliceOf(members) })).sort(bySentThenName('domain'));
}

export function localesOf(rows: readonly EngagementCountRow[]): EngagementBreakdowns['locales'] {
  return grouped(rows, (locale, members) => ({ locale, ...sliceOf(members) })).sort(bySentThenName('locale'));
}

/** Deliveries of one kind by reason, most frequent first. */
export function reasonsOf(rows: readonly EngagementCountRow[], kind: EngagementKind): ReasonCount[] {
  return grouped(
    rows.filter((row) => row.kind === kind),
    (reason, members) => ({ reason, count: members.reduce((sum, row) => sum + row.unique, 0) }),
  ).sort((a, b) => b.count - a.count || nullLast(a.reason, b.reason, alphabetical));
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}

/**
 * delivery = delivered / sent, null when no provider reported any delivery or bounce in the window
 * (SMTP, web push: 0 % would say every message was lost); bounce = bounced / sent; open = unique human opens / base;
 * clickThrough = unique human clicks / base; base = delivered, or sent when nothing was delivered
 * in the window (channels and providers that report no delivery: SMTP, web push).
 */
export function ratesOf(totals: EngagementCounts): EngagementRates {
  const basis = totals.delivered > 0 ? 'delivered' : totals.sent > 0 ? 'sent' : null;
  const base = basis === null ? 0 : totals[basis];
  return {
    delivery: totals.delivered + totals.bounced > 0 ? ratio(totals.delivered, totals.sent) : null,
    open: ratio(totals.opened.unique, base),
    clickThrough: ratio(totals.clicked.unique, base),
    bounce: ratio(totals.bounced, totals.sent),
    basis,
  };
}

/** The report over time from the store's counts. */
export function engagementReport(window: ReportWindow, counts: EngagementCountSet): EngagementReport {
  const totals = totalsOf(counts.reasons);
  return {
    ...window,
    totals,
    series: seriesOf(window, counts.buckets),
    breakdowns: {
      links: linksOf(counts.links),
      domains: domainsOf(counts.domains),
      locales: localesOf(counts.locales),
      exclusions: reasonsOf(counts.reasons, 'excluded'),
      failures: reasonsOf(counts.reasons, 'failed'),
      bounces: reasonsOf(counts.reasons, 'bounced'),
    },
    rates: ratesOf(totals),
  };
}
