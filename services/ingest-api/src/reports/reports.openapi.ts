import { CHANNELS, DELIVERY_STATUSES } from '@herald/contracts';
import { deliveryListQuerySchema, failureListQuerySchema } from './execution-report.service';
import { NOT_REPLAYABLE_REASONS, replayFailuresSchema } from './replay-failures.service';
import { SERIES_CSV_COLUMNS } from './report-csv';
import { MAX_BUCKETS, reportQuerySchema } from './report-window';
import {
  jsonContent,
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
} from '../openapi/common';

const executionIdParam = { name: 'executionId', in: 'path', required: true, schema: { type: 'string' } };

function queryParams(schema: { properties: Record<string, object> }): Record<string, unknown>[] {
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

const countMap = { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } };

const deliveryCounts = {
  type: 'object',
  description:
    'sent, failed and excluded are the outcomes of the send; delivered, opened and clicked are a funnel over the sent messages (an opened message counts as delivered, a clicked one as opened); deferred counts deferrals (quiet hours, throttle), not recipients.',
  required: [
    'sent',
    'failed',
    'excluded',
    'excludedByReason',
    'failedByReason',
    'deferred',
    'delivered',
    'bounced',
    'opened',
    'clicked',
    'pending',
  ],
  properties: {
    sent: { type: 'integer' },
    failed: { type: 'integer' },
    excluded: { type: 'integer' },
    excludedByReason: countMap,
    failedByReason: countMap,
    deferred: { type: 'integer' },
    delivered: { type: 'integer' },
    bounced: { type: 'integer' },
    opened: { type: 'integer' },
    clicked: { type: 'integer' },
    pending: { type: 'integer', description: 'recipients − sent − failed − excluded, never below 0.' },
  },
};

const deliveryEvent = {
  type: 'object',
  required: ['status', 'at'],
  properties: {
    status: { enum: DELIVERY_STATUSES },
    at: { type: 'string', format: 'date-time' },
    reason: { type: 'string', description: 'Machine code: an exclusion reason or an error code.' },
    detail: { type: 'string' },
  },
};

const delivery = {
  type: 'object',
  description: 'The record of one recipient of an execution. It never holds the message itself.',
  required: [
    'id',
    'sandbox',
    'executionId',
    'campaignId',
    'campaignVersion',
    'recipientIndex',
    'channel',
    'status',
    'attempts',
    'history',
    'createdAt',
    'updatedAt',
  ],
  properties: {
    id: { type: 'string', description: 'Also the id of its delivery job.' },
    sandbox: { type: 'string' },
    executionId: { type: 'string' },
    campaignId: { type: 'string' },
    campaignVersion: { type: 'integer' },
    recipientIndex: { type: 'integer' },
    channel: { enum: [...CHANNELS] },
    status: { enum: DELIVERY_STATUSES },
    reason: { type: 'string' },
    address: { type: 'string' },
    profileId: { type: 'string' },
    providerMessageId: { type: 'string' },
    attempts: { type: 'integer' },
    lastError: { type: 'string' },
    history: { type: 'array', items: deliveryEvent },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const executionReport = {
  type: 'object',
  required: [
    'executionId',
    'kind',
    'campaignId',
    'campaignVersion',
    'status',
    'createdAt',
    'recipients',
    'counts',
    'countsSource',
  ],
  properties: {
    executionId: { type: 'string' },
    kind: { enum: ['unitary', 'highthroughput', 'audience'] },
    campaignId: { type: 'string' },
    campaignVersion: { type: 'integer' },
    status: { enum: ['InProgress', 'Completed', 'Failed'] },
    error: { type: 'string', description: 'Why the execution failed, when it did.' },
    createdAt: { type: 'string', format: 'date-time' },
    recipients: {
      type: 'integer',
      description: 'Recipients of the call; for an audience execution, the profiles queued so far.',
    },
    counts: { $ref: '#/components/schemas/DeliveryCounts' },
    countsSource: { enum: ['live', 'store'] },
  },
};

function pageOf(schemaName: string): Record<string, unknown> {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: { $ref: `#/components/schemas/${schemaName}` } },
      nextCursor: { type: ['string', 'null'], description: 'Null on the last page.' },
    },
  };
}

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
const engagementReportFields = {
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
const engagementReportRequired = Object.keys(engagementReportFields);

// OpenAPI ignores an `Accept` parameter: the answer's two media types and the description say it.
const reportParameters = queryParams(reportQuerySchema);

const reportDescription =
  `Counts the engagement events (sent, delivered, bounced, failed, excluded, opened, clicked, unsubscribed) of a window: \`from\` to \`to\` (default the last 24 h), in buckets aligned to the Unix epoch (UTC days). ` +
  'Refused with 400: a date that is not ISO 8601 (`invalid-report-date`), `from` not before `to` (`invalid-report-window`), ' +
  `more than ${MAX_BUCKETS} buckets (\`too-many-buckets\`), an unknown parameter or granularity (\`invalid-query\`); \`errors[].path\` names the field. ` +
  'With `Accept: text/csv` or `?format=csv` the answer is the series as CSV, one row per bucket, as a download.';

function reportAnswer(schemaName: string, description: string): Record<string, unknown> {
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

export function reportsOpenApi(): OpenApiPart {
  return {
    tag: {
      name: 'Reports',
      description:
        'How executions and campaigns went: status and counts, series over time with breakdowns and rates, delivery records, failures and their replay.',
    },
    paths: {
      '/executions/{executionId}': {
        get: operation('api-key', {
          operationId: 'getExecutionReport',
          summary: 'Status and counts of any execution (execute or manage).',
          description:
            'Counts come from live counters (`countsSource: live`), or from the delivery records once those have expired (`store`). Completed once every job is queued and no recipient is pending.',
          parameters: [sandboxHeader, executionIdParam],
          responses: {
            '200': { description: 'The execution report.', content: jsonContent('ExecutionReport') },
            '404': problem,
          },
        }),
      },
      '/executions/{executionId}/deliveries': {
        get: operation('api-key', {
          operationId: 'listExecutionDeliveries',
          summary: 'The delivery records of an execution, by recipient index (execute or manage).',
          parameters: [sandboxHeader, executionIdParam, ...queryParams(deliveryListQuerySchema)],
          responses: {
            '200': { description: 'A page of delivery records.', content: jsonContent('DeliveryPage') },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/executions/{executionId}/failures': {
        get: operation('api-key', {
          operationId: 'listExecutionFailures',
          summary:
            'The failed deliveries of an execution, and whether each can be replayed (execute or manage).',
          parameters: [sandboxHeader, executionIdParam, ...queryParams(failureListQuerySchema)],
          responses: {
            '200': {
              description: 'A page of failed deliveries.',
              content: jsonContent('FailedDeliveryPage'),
            },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/executions/{executionId}/report': {
        get: operation('api-key', {
          operationId: 'getExecutionReportOverTime',
          summary:
            'An execution report with the series, breakdowns and rates of a window (execute or manage).',
          description: reportDescription,
          parameters: [sandboxHeader, executionIdParam, ...reportParameters],
          responses: {
            '200': reportAnswer(
              'ExecutionReportOverTime',
              'The execution report, and the series of the window.',
            ),
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/campaigns/{campaignId}/report': {
        get: operation('api-key', {
          operationId: 'getCampaignReport',
          summary:
            "A campaign's delivery outcomes across all its executions: all-time from the live counters, and over a window from its events (manage).",
          description: reportDescription,
          parameters: [
            sandboxHeader,
            { name: 'campaignId', in: 'path', required: true, schema: { type: 'string' } },
            ...reportParameters,
          ],
          responses: {
            '200': reportAnswer('CampaignReport', 'The counts, and the series of the window.'),
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/executions/{executionId}/failures/replay': {
        post: operation('api-key', {
          operationId: 'replayExecutionFailures',
          summary: 'Move failed delivery jobs back to waiting, with their full attempts again (manage).',
          description:
            'Replays the listed deliveries, or every failure of the execution when the body (or deliveryIds) is omitted. Each replayed record gets a `queued` event with reason `replayed`.',
          parameters: [sandboxHeader, executionIdParam],
          requestBody: jsonRequest(
            'ReplayFailuresRequest',
            { deliveryIds: ['01a20dbe-9aaf-7325-95af-8082d00bb019-r0'] },
            { required: false },
          ),
          responses: {
            '202': {
              description: 'The jobs moved back to waiting.',
              content: jsonContent('ReplayFailuresResult'),
            },
            '400': problem,
            '404': problem,
          },
        }),
      },
    },
    schemas: {
      ExecutionReport: executionReport,
      DeliveryCounts: deliveryCounts,
      CampaignReport: {
        type: 'object',
        required: [
          'campaignId',
          'status',
          'liveVersion',
          'counts',
          'countsSource',
          ...engagementReportRequired,
        ],
        properties: {
          campaignId: { type: 'string' },
          status: { type: 'string' },
          liveVersion: { type: ['integer', 'null'] },
          counts: {
            ...deliveryCounts,
            required: deliveryCounts.required.filter((field) => field !== 'pending'),
            properties: Object.fromEntries(
              Object.entries(deliveryCounts.properties).filter(([field]) => field !== 'pending'),
            ),
          },
          countsSource: {
            enum: ['live', 'none'],
            description:
              '`none`: no counter exists (nothing finished within their 30-day life, or Redis lost them); per-execution reports rebuild their counts from the store.',
          },
          ...engagementReportFields,
        },
      },
      ExecutionReportOverTime: {
        type: 'object',
        required: [...executionReport.required, ...engagementReportRequired],
        properties: { ...executionReport.properties, ...engagementReportFields },
      },
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
      Delivery: delivery,
      DeliveryPage: pageOf('Delivery'),
      FailedDelivery: {
        ...delivery,
        required: [...delivery.required, 'replayable'],
        properties: {
          ...delivery.properties,
          replayable: { type: 'boolean', description: 'Its job is still in the failed set of its queue.' },
        },
      },
      FailedDeliveryPage: pageOf('FailedDelivery'),
      ReplayFailuresRequest: replayFailuresSchema,
      ReplayFailuresResult: {
        type: 'object',
        required: ['replayed', 'notReplayable'],
        properties: {
          replayed: { type: 'integer' },
          notReplayable: {
            type: 'array',
            items: {
              type: 'object',
              required: ['deliveryId', 'reason'],
              properties: {
                deliveryId: { type: 'string' },
                reason: { enum: [...NOT_REPLAYABLE_REASONS] },
              },
            },
          },
        },
      },
    },
  };
}
