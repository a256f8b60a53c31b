import { apiKeysOpenApi } from './api-keys.openapi';
import { audienceExecutionsOpenApi } from './audience-executions.openapi';
import { audiencesOpenApi } from './audiences.openapi';
import { campaignToolsOpenApi } from './campaign-tools.openapi';
import { campaignsOpenApi } from './campaigns.openapi';
import { problemSchema, type OpenApiPart } from './common';
import { executionsOpenApi } from './executions.openapi';
import { executionReportsOpenApi } from './execution-reports.openapi';
import { healthOpenApi } from './health.openapi';
import { highThroughputOpenApi } from './highthroughput.openapi';
import { profilesOpenApi } from './profiles.openapi';
import { suppressionsOpenApi } from './suppressions.openapi';
import { settingsOpenApi } from './settings.openapi';
import { webhooksOpenApi } from './webhooks.openapi';

/**
 * The OpenAPI 3.1 document of the API, assembled from one part per area. Parts are built from
 * the same JSON Schemas the API validates with, so the document and the code cannot drift apart.
 */
export function openApiDocument(maxRecipients: number): Record<string, unknown> {
  const parts: OpenApiPart[] = [
    healthOpenApi(),
    campaignsOpenApi(),
    campaignToolsOpenApi(),
    executionsOpenApi(maxRecipients),
    audienceExecutionsOpenApi(),
    highThroughputOpenApi(maxRecipients),
    executionReportsOpenApi(),
    profilesOpenApi(),
    audiencesOpenApi(),
    suppressionsOpenApi(),
    settingsOpenApi(),
    apiKeysOpenApi(),
    webhooksOpenApi(),
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herald API',
      version: '0.1.0',
      description:
        'Execution API (wire-compatible with Adobe Journey Optimizer Interactive Message Execution) and management API.',
    },
    paths: Object.assign({}, ...parts.map((part) => part.paths)),
    components: {
      schemas: Object.assign({ Problem: problemSchema }, ...parts.map((part) => part.schemas)),
    },
  };
}
