import { ValidationError, type FieldError } from '@herald/errors';
import { createAjv, toFieldErrors } from '../validation/ajv';

export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const BUCKET_SECONDS: Readonly<Record<Granularity, number>> = { minute: 60, hour: 3600, day: 86_400 };

/** Buckets one report may hold: a day of minutes (1,441 once widened to whole minutes) fits. */
export const MAX_BUCKETS = 1500;

const DAY_MS = 86_400_000;
/** The default window: the last 24 hours. */
const DEFAULT_SPAN_MS = DAY_MS;
/** Up to these spans the default granularity is minute, then hour; day beyond. */
const MINUTE_SPAN_MS = DAY_MS;
const HOUR_SPAN_MS = 90 * DAY_MS;

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const reportQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: {
      type: 'string',
      maxLength: 64,
      description:
        'Start of the window, ISO 8601 (`2026-12-07`, `2026-12-07T10:00:00Z`, or with an offset, `+` sent as `%2B`). Default: `to` − 24 h.',
    },
    to: {
      type: 'string',
      maxLength: 64,
      description: 'End of the window (exclusive), ISO 8601. Default: now.',
    },
    granularity: {
      enum: [...GRANULARITIES],
      description:
        'Bucket size. Default: `minute` for a window of up to 24 h, `hour` up to 90 days, `day` beyond, each made coarser when it would give more than 1,500 buckets.',
    },
    format: {
      enum: [...REPORT_FORMATS],
      description: '`csv`: the series as CSV, as with `Accept: text/csv`. Wins over `Accept`.',
    },
  },
} as const;

interface ReportQuery {
  from?: string;
  to?: string;
  granularity?: Granularity;
  format?: ReportFormat;
}

/**
 * The time window a report covers, widened to whole buckets aligned to the Unix epoch (so days
 * are UTC days): `from` inclusive, `to` exclusive, both ISO 8601.
 */
export interface ReportWindow {
  from: string;
  to: string;
  granularity: Granularity;
}

export interface ReportRequest {
  window: ReportWindow;
  /** Only when the query names one; otherwise the `Accept` header decides. */
  format?: ReportFormat;
}

const validateQuery = createAjv().compile<ReportQuery>(reportQuerySchema);

/**
 * A date (`YYYY-MM-DD`, midnight UTC) or a date-time with seconds and fraction optional and a zone
 * required: a time without one would be read in the server's zone.
 */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:(Z)|([+-])(\d{2}):?(\d{2})))?$/;

/** Milliseconds since the epoch, or null when `text` is not an ISO 8601 date that exists. */
export function parseIsoDate(text: string): number | null {
  // An unencoded `+` of an offset reaches the query as a space.
  const match = ISO_8601.exec(text.replace(/ (\d{2}:?\d{2})$/, '+$1'));
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '0', , sign, offH, offM] =
    match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls an impossible date (February 30th, 24:00) over: such a date does not exist.
  const exists =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    local.getUTCHours() === h &&
    local.getUTCMinutes() === mi &&
    local.getUTCSeconds() === s;
  const offsetMinutes = sign === undefined ? 0 : Number(offH) * 60 + Number(offM);
  if (!exists || Number(offH ?? 0) > 23 || Number(offM ?? 0) > 59) return null;
  const ms = local.getTime() + Math.floor(Number(fraction) * 1000);
  return sign === '-' ? ms + offsetMinutes * 60_000 : ms - offsetMinutes * 60_000;
}

/** The default bucket size for a span: the rule, coarser while it gives too many buckets. */
export function defaultGranularity(fromMs: number, toMs: number): Granularity {
  const span = toMs - fromMs;
  const rule: Granularity = span <= MINUTE_SPAN_MS ? 'minute' : span <= HOUR_SPAN_MS ? 'hour' : 'day';
  const candidates = GRANULARITIES.slice(GRANULARITIES.indexOf(rule));
  return candidates.find((granularity) => bucketCount(fromMs, toMs, granularity) <= MAX_BUCKETS) ?? 'day';
}

/** Buckets of `granularity` that [from, to) touches. */
export function bucketCount(fromMs: number, toMs: number, granularity: Granularity): number {
  const size = BUCKET_SECONDS[granularity] * 1000;
  return Math.ceil(toMs / size) - Math.floor(fromMs / size);
}

/** The start of every bucket of the window, in order. */
export function bucketStarts(window: ReportWindow): string[] {
  const size = BUCKET_SECONDS[window.granularity] * 1000;
  const from = Date.parse(window.from);
  const count = Math.round((Date.parse(window.to) - from) / size);
  return Array.from({ length: count }, (_, index) => new Date(from + index * size).toISOString());
}

/**
 * Reads `from`, `to`, `granularity` and `format` of a report query; refuses, naming the field, a
 * date that is not ISO 8601, `from` not before `to`, and more than `MAX_BUCKETS` buckets.
 */
export function parseReportQuery(query: unknown, now: Date = new Date()): ReportRequest {
  if (!validateQuery(query)) {
    throw new ValidationError(
      'invalid-query',
      'The report query is invalid.',
      toFieldErrors(validateQuery.errors),
    );
  }
  const dates = { from: query.from, to: query.to };
  const parsed: { from?: number; to?: number } = {};
  const badDates: FieldError[] = [];
  for (const field of ['from', 'to'] as const) {
    const text = dates[field];
    if (text === undefined) continue;
    const value = parseIsoDate(text);
    if (value === null) {
      badDates.push({ path: `/${field}`, code: 'format', message: 'must be an ISO 8601 date or date-time' });
    } else parsed[field] = value;
  }
  if (badDates.length > 0) {
    throw new ValidationError('invalid-report-date', 'A report date is not ISO 8601.', badDates);
  }
  const toMs = parsed.to ?? now.getTime();
  const fromMs = parsed.from ?? toMs - DEFAULT_SPAN_MS;
  if (fromMs >= toMs) {
    throw new ValidationError('invalid-report-window', '`from` must be before `to`.', [
      { path: '/from', code: 'window', message: 'must be before `to`' },
    ]);
  }
  const granularity = query.granularity ?? defaultGranularity(fromMs, toMs);
  const buckets = bucketCount(fromMs, toMs, granularity);
  if (buckets > MAX_BUCKETS) {
    throw new ValidationError(
      'too-many-buckets',
      `The window holds ${buckets} ${granularity} buckets, more than ${MAX_BUCKETS}: shorten it or pick a coarser granularity.`,
      [
        {
          // With the coarsest granularity only a shorter window helps.
          path: query.granularity === undefined ? '/from' : '/granularity',
          code: 'max-buckets',
          message: `must give at most ${MAX_BUCKETS} buckets`,
        },
      ],
    );
  }
  const size = BUCKET_SECONDS[granularity] * 1000;
  return {
    window: {
      from: new Date(Math.floor(fromMs / size) * size).toISOString(),
      to: new Date(Math.ceil(toMs / size) * size).toISOString(),
      granularity,
    },
    ...(query.format === undefined ? {} : { format: query.format }),
  };
}
