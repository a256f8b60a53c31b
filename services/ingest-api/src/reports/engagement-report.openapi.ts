import { SERIES_CSV_COLUMNS } from './report-csv';
import { MAX_BUCKETS, reportQuerySchema } from './report-window';
import { jsonContent, queryParameters } from '../openapi/common';

/** The OpenAPI of the reports over time: what `?from&to&granularity` adds to the two reports. */

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const count = { type: 'integer', minimum: 0 };
const nullableString = { type: ['string', 'null'] };

const hitCounts = {
  type: 'object',
  description:
    '`human` and `machine` count hits (events); `total` is both; `unique` counts deliveries with at least one human hit. Machine hits are opens and clicks judged automated (mail privacy proxies prefetching images, link scanners): recorded, but not engagement.',
  required: ['total', 'unique', 'human', 'machine'],
  properties: { total: count, unique: count, human: count, machine: count },
};

const engagementCountFields = {
  sent: count,
  delivered: count,
  bounced: count,
  failed: count,
  excluded: count,
  opened: schemaRef('HitCounts'),
  clicked: schemaRef('HitCounts'),
  unsubscribed: count,
};

const engagementCounts = {
  type: 'object',
  description:
    'Totals of the whole window: deliveries by what happened to them (each counted once per delivery and kind, whatever the retries or duplicate provider events), opens and clicks. Its `unique` counts are distinct deliveries over the window, not sums of buckets.',
  required: Object.keys(engagementCountFields),
  properties: engagementCountFields,
};

const sliceCounts = (key: string, description: string) => ({
  type: 'object',
  description: `${description} \`opened\` and \`clicked\` count deliveries with a human open or click.`,
  required: [key, 'sent', 'delivered', 'bounced', 'opened', 'clicked'],
  properties: {
    [key]: { ...nullableString, description: 'Null for deliveries without one.' },
    sent: count,
    delivered: count,
    bounced: count,
    opened: count,
    clicked: count,
  },
});

const reasonCounts = (description: string) => ({
  type: 'array',
  description: `${description}, most frequent first.`,
  items: {
    type: 'object',
    required: ['reason', 'count'],
    properties: { reason: nullableString, count },
  },
});

const rate = { type: ['number', 'null'], minimum: 0 };

/** The fields a report over time adds to the report it extends. */
export const engagementReportFields = {
  from: {
    type: 'string',
    format: 'date-time',
    description: 'Start of the window (inclusive), widened to the start of its bucket.',
  },
  to: {
    type: 'string',
    format: 'date-time',
    description: 'End of the window (exclusive), widened to the end of its bucket.',
  },
  granularity: { enum: ['minute', 'hour', 'day'] },
  totals: schemaRef('EngagementCounts'),
  series: {
    type: 'array',
    description: `Every bucket of the window in order, empty ones included (at most ${MAX_BUCKETS}).`,
    items: schemaRef('SeriesPoint'),
  },
  breakdowns: schemaRef('EngagementBreakdowns'),
  rates: schemaRef('EngagementRates'),
};
export const engagementReportRequired = Object.keys(engagementReportFields);

// OpenAPI ignores an `Accept` parameter: the answer's two media types and the description say it.
export const reportParameters = queryParameters(reportQuerySchema.properties);

export const reportDescription =
  `Counts the engagement events (sent, delivered, bounced, failed, excluded, opened, clicked, unsubscribed) of a window: \`from\` to \`to\` (default the last 24 h), in buckets aligned to the Unix epoch (UTC days). ` +
  'Refused with 400: a date that is not ISO 8601 (`invalid-report-date`), `from` not before `to` (`invalid-report-window`), ' +
  `more than ${MAX_BUCKETS} buckets (\`too-many-buckets\`), an unknown parameter or granularity (\`invalid-query\`); \`errors[].path\` names the field. ` +
  'With `Accept: text/csv` or `?format=csv` the answer is the series as CSV, one row per bucket, as a download.';

export function reportAnswer(schemaName: string, description: string): Record<string, unknown> {
  return {
    description,
    content: {
      ...jsonContent(schemaName),
      'text/csv': {
        schema: { type: 'string' },
        example: `${SERIES_CSV_COLUMNS.join(',')}\r\n2026-12-07T10:00:00.000Z,120,118,2,0,3,95,61,40,55,30,22,25,5,1\r\n`,
      },
    },
    headers: {
      'Content-Disposition': {
        schema: { type: 'string' },
        description:
          'CSV only: `attachment; filename=campaign-<id>-<from>-<to>-<granularity>.csv` (or `execution-…`).',
      },
    },
  };
}

/** The component schemas the two reports over time name. */
export const engagementReportSchemas = {
  HitCounts: hitCounts,
  EngagementCounts: engagementCounts,
  SeriesPoint: {
    ...engagementCounts,
    description: 'One bucket; its `unique` counts are distinct deliveries within the bucket.',
    required: ['start', ...engagementCounts.required],
    properties: {
      start: { type: 'string', format: 'date-time', description: "The bucket's start." },
      ...engagementCountFields,
    },
  },
  EngagementBreakdowns: {
    type: 'object',
    required: ['links', 'domains', 'locales', 'exclusions', 'failures', 'bounces'],
    properties: {
      links: {
        type: 'array',
        description: 'Clicks by link of the message, in link order.',
        items: {
          type: 'object',
          required: ['linkId', 'label', ...hitCounts.required],
          properties: {
            linkId: {
              ...nullableString,
              description: "The link's position in the message (`0`, `1`, …).",
            },
            label: { ...nullableString, description: 'Its `data-herald-label`, if any.' },
            ...hitCounts.properties,
          },
        },
      },
      domains: {
        type: 'array',
        description: 'By recipient e-mail domain, most sent first.',
        items: sliceCounts('domain', 'Deliveries to one domain.'),
      },
      locales: {
        type: 'array',
        description: 'By the locale the message was rendered in, most sent first.',
        items: sliceCounts('locale', 'Deliveries in one locale.'),
      },
      exclusions: reasonCounts('Excluded deliveries by reason'),
      failures: reasonCounts('Failed deliveries by error code'),
      bounces: reasonCounts('Bounced deliveries by reason'),
    },
  },
  EngagementRates: {
    type: 'object',
    description:
      'Fractions from 0 to 1 (4 decimals) of the window totals; null when the denominator is 0. `delivery` = delivered / sent; `bounce` = bounced / sent; `open` = unique human opens / base; `clickThrough` = unique human clicks / base. The base is delivered, or sent when the window holds no delivery event (SMTP, web push and providers without delivery reports): `basis` says which. Events are counted when they happen, so a window that starts after a send may show more delivered than sent.',
    required: ['delivery', 'open', 'clickThrough', 'bounce', 'basis'],
    properties: {
      delivery: rate,
      open: rate,
      clickThrough: rate,
      bounce: rate,
      basis: { enum: ['delivered', 'sent', null] },
    },
  },
};
