import { CHANNELS, DELIVERY_STATUSES } from '@herald/contracts';
import { deliveryListQuerySchema, failureListQuerySchema } from './execution-report.service';
import { NOT_REPLAYABLE_REASONS, replayFailuresSchema } from './replay-failures.service';
import {
  engagementReportFields,
  engagementReportRequired,
  engagementReportSchemas,
  reportAnswer,
  reportDescription,
  reportParameters,
} from './engagement-report.openapi';
import {
  jsonContent,
  problem,
  sandboxHeader,
  type OpenApiPart,
  operation,
  jsonRequest,
  queryParameters,
} from '../openapi/common';

const executionIdParam = { name: 'executionId', in: 'path', required: true, schema: { type: 'string' } };

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
          parameters: [
            sandboxHeader,
            executionIdParam,
            ...queryParameters(deliveryListQuerySchema.properties),
          ],
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
          parameters: [
            sandboxHeader,
            executionIdParam,
            ...queryParameters(failureListQuerySchema.properties),
          ],
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
      ...engagementReportSchemas,
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
