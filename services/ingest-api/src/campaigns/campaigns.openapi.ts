import { campaignDefinitionSchema } from '@herald/contracts';
import { jsonContent, problem, sandboxHeader, type OpenApiPart, operation } from '../openapi/common';

const campaignIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const versionParam = { name: 'version', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const pageParams = [
  {
    name: 'limit',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
  {
    name: 'cursor',
    in: 'query',
    required: false,
    schema: { type: 'string', maxLength: 512 },
    description: '`nextCursor` of the previous page.',
  },
];
const ifMatchHeader = {
  name: 'If-Match',
  in: 'header',
  required: false,
  schema: { type: 'string', examples: ['"3"'] },
  description:
    'Latest version the edit is based on (the `ETag` of the campaign). Without it the edit applies to whatever version is latest.',
};
const etagHeader = {
  ETag: { description: 'The latest version, for `If-Match`.', schema: { type: 'string' } },
};

const campaignResponse = {
  description: 'The campaign.',
  headers: etagHeader,
  content: jsonContent('Campaign'),
};
const activatedResponse = {
  description: 'The campaign, live (or scheduled until its start), with non-blocking warnings.',
  content: jsonContent('ActivatedCampaign'),
};
const transitionResponses = { '200': campaignResponse, '404': problem, '409': problem };

const definitionExample = {
  name: 'Order shipped (SMS)',
  description: 'Tells the customer their order is on its way.',
  tags: ['orders'],
  labels: ['team-logistics'],
  type: 'transactional',
  channel: 'sms',
  channelConfig: { sms: { sender: 'ShopCo' } },
  content: {
    defaultLocale: 'en',
    locales: {
      en: { body: 'Order {{ context.orderId }} has shipped: {{ context.trackingUrl }}' },
      fr: { body: 'Commande {{ context.orderId }} expédiée : {{ context.trackingUrl }}' },
    },
  },
  contextSchema: {
    type: 'object',
    required: ['orderId', 'trackingUrl'],
    properties: { orderId: { type: 'string' }, trackingUrl: { type: 'string', format: 'uri' } },
  },
  identityNamespace: 'phone',
  createProfiles: true,
  schedule: { end: '2031-01-01T00:00:00Z' },
  throttle: { perSecond: 50 },
};

const definitionBody = {
  required: true,
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/CampaignDefinition' },
      example: definitionExample,
    },
  },
};

const lifecycle =
  'Lifecycle: draft → live (or scheduled while `schedule.start` is ahead) → stopped (by hand) or completed (once `schedule.end` has passed) → archived. Illegal transitions answer 409 `illegal-transition`.';

export function campaignsOpenApi(): OpenApiPart {
  const { $id: _id, ...campaignDefinition } = campaignDefinitionSchema;
  return {
    tag: {
      name: 'Campaigns',
      description:
        'Campaign definitions, their versions and their lifecycle (draft, live, stopped, archived).',
    },
    paths: {
      '/campaigns': {
        post: operation('api-key', {
          operationId: 'createCampaign',
          summary: 'Create a campaign (draft, version 1).',
          parameters: [sandboxHeader],
          requestBody: definitionBody,
          responses: { '201': campaignResponse, '400': problem },
        }),
        get: operation('api-key', {
          operationId: 'listCampaigns',
          summary: 'List the campaigns of the sandbox, oldest first.',
          parameters: [sandboxHeader, ...pageParams],
          responses: {
            '200': { description: 'One page of campaigns.', content: jsonContent('CampaignPage') },
            '400': problem,
          },
        }),
      },
      '/campaigns/{id}': {
        get: operation('api-key', {
          operationId: 'getCampaign',
          summary: 'Read a campaign (its definition is the latest version).',
          description: lifecycle,
          parameters: [sandboxHeader, campaignIdParam],
          responses: { '200': campaignResponse, '404': problem },
        }),
        put: operation('api-key', {
          operationId: 'replaceCampaign',
          summary: 'Replace the definition: appends a new version.',
          description:
            'On a live or scheduled campaign the new version is a draft: triggers keep using `liveVersion` until `POST /campaigns/{id}/publish`. 409 `version-conflict` when `If-Match` is not the latest version; 409 `campaign-archived` on an archived campaign.',
          parameters: [sandboxHeader, campaignIdParam, ifMatchHeader],
          requestBody: definitionBody,
          responses: {
            '200': campaignResponse,
            '400': problem,
            '404': problem,
            '409': problem,
          },
        }),
      },
      '/campaigns/{id}/versions': {
        get: operation('api-key', {
          operationId: 'listCampaignVersions',
          summary: 'List the versions of a campaign, oldest first.',
          parameters: [sandboxHeader, campaignIdParam, ...pageParams],
          responses: {
            '200': { description: 'One page of versions.', content: jsonContent('CampaignVersionPage') },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/campaigns/{id}/versions/{version}': {
        get: operation('api-key', {
          operationId: 'getCampaignVersion',
          summary: 'Read one version of a campaign.',
          parameters: [sandboxHeader, campaignIdParam, versionParam],
          responses: {
            '200': { description: 'The version.', content: jsonContent('CampaignVersion') },
            '400': problem,
            '404': problem,
          },
        }),
      },
      '/campaigns/{id}/activate': {
        post: operation('api-key', {
          operationId: 'activateCampaign',
          summary: 'Run every activation check on the latest version and make it live (draft only).',
          description: `${lifecycle} A failed check answers 422 \`campaign-checks-failed\` listing every problem.`,
          parameters: [sandboxHeader, campaignIdParam],
          responses: { '200': activatedResponse, '404': problem, '409': problem, '422': problem },
        }),
      },
      '/campaigns/{id}/publish': {
        post: operation('api-key', {
          operationId: 'publishCampaign',
          summary: 'Check the latest version and swap it in as the live version, atomically.',
          description:
            'Live or scheduled campaigns only. Triggers already queued keep the version they were queued with. 409 `nothing-to-publish` when the latest version is already live.',
          parameters: [sandboxHeader, campaignIdParam],
          responses: { '200': activatedResponse, '404': problem, '409': problem, '422': problem },
        }),
      },
      '/campaigns/{id}/stop': {
        post: operation('api-key', {
          operationId: 'stopCampaign',
          summary: 'Stop a live or scheduled campaign: triggers are refused from now on.',
          parameters: [sandboxHeader, campaignIdParam],
          responses: transitionResponses,
        }),
      },
      '/campaigns/{id}/archive': {
        post: operation('api-key', {
          operationId: 'archiveCampaign',
          summary: 'Archive a draft, stopped or completed campaign: it can no longer be edited.',
          parameters: [sandboxHeader, campaignIdParam],
          responses: transitionResponses,
        }),
      },
    },
    schemas: {
      CampaignDefinition: campaignDefinition,
      Campaign: {
        type: 'object',
        required: [
          'id',
          'sandbox',
          'status',
          'latestVersion',
          'liveVersion',
          'definition',
          'createdAt',
          'updatedAt',
        ],
        properties: {
          id: { type: 'string' },
          sandbox: { type: 'string' },
          status: { enum: ['draft', 'scheduled', 'live', 'stopped', 'completed', 'archived'] },
          latestVersion: { type: 'integer' },
          liveVersion: {
            type: ['integer', 'null'],
            description: 'Version triggers use; null until activation.',
          },
          definition: { $ref: '#/components/schemas/CampaignDefinition' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      ActivatedCampaign: {
        allOf: [
          { $ref: '#/components/schemas/Campaign' },
          {
            type: 'object',
            required: ['warnings'],
            properties: {
              warnings: {
                type: 'array',
                description:
                  'Non-blocking findings, e.g. `sms-segments` (length of each SMS body rendered with sample data).',
                items: {
                  type: 'object',
                  required: ['path', 'code', 'message'],
                  properties: {
                    path: { type: 'string' },
                    code: { type: 'string' },
                    message: { type: 'string' },
                  },
                },
              },
            },
          },
        ],
      },
      CampaignVersion: {
        type: 'object',
        required: ['campaignId', 'sandbox', 'version', 'definition', 'createdAt'],
        properties: {
          campaignId: { type: 'string' },
          sandbox: { type: 'string' },
          version: { type: 'integer' },
          definition: { $ref: '#/components/schemas/CampaignDefinition' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      CampaignPage: page('Campaign'),
      CampaignVersionPage: page('CampaignVersion'),
    },
  };
}

function page(itemSchema: string) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: { $ref: `#/components/schemas/${itemSchema}` } },
      nextCursor: {
        type: ['string', 'null'],
        description: 'Cursor of the next page; null on the last page.',
      },
    },
  };
}
