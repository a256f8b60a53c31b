import { apiCredentialsOpenApi } from '../api-credentials/api-credentials.openapi';
import { apiKeysOpenApi } from '../api-keys/api-keys.openapi';
import { audienceExecutionOpenApi } from '../triggers/audience-execution.openapi';
import { audiencesOpenApi } from '../audiences/audiences.openapi';
import { campaignToolsOpenApi } from '../campaign-tools/campaign-tools.openapi';
import { campaignsOpenApi } from '../campaigns/campaigns.openapi';
import { apiDescriptionOpenApi } from './api-description.openapi';
import {
  apiKeySecurity,
  problemSchema,
  securitySchemes,
  standardResponses,
  withoutNullable,
  type OpenApiObject,
  type OpenApiPart,
  type OpenApiTag,
} from './common';
import { unitaryExecutionOpenApi } from '../triggers/unitary-execution.openapi';
import { reportsOpenApi } from '../reports/reports.openapi';
import { healthOpenApi } from '../health/health.openapi';
import { imsTokenOpenApi } from '../ims-token/ims-token.openapi';
import { highThroughputExecutionOpenApi } from '../triggers/highthroughput-execution.openapi';
import { profilesOpenApi } from '../profiles/profiles.openapi';
import { suppressionsOpenApi } from '../suppressions/suppressions.openapi';
import { settingsOpenApi } from '../settings/settings.openapi';
import { webhooksOpenApi } from '../webhooks/webhooks.openapi';
import { feedbackWebhooksOpenApi } from '../feedback-webhooks/feedback-webhooks.openapi';

/** The part's paths, each operation filed under the part's tag. */
function taggedPaths(part: OpenApiPart): Record<string, OpenApiObject> {
  return Object.fromEntries(
    Object.entries(part.paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => [
          method,
          { tags: [part.tag.name], ...(operation as OpenApiObject) },
        ]),
      ),
    ]),
  );
}

/** Each tag once, in the order of the parts (Swagger UI shows its sections in this order). */
function distinctTags(parts: OpenApiPart[]): OpenApiTag[] {
  const byName = new Map(parts.map((part) => [part.tag.name, part.tag]));
  return [...byName.values()];
}

/**
 * The OpenAPI 3.1 document of the API, assembled from one part per feature. Parts are built from
 * the same JSON Schemas the API validates with, so the document and the code cannot drift apart.
 */
export function openApiDocument(maxRecipients: number): Record<string, unknown> {
  const parts: OpenApiPart[] = [
    unitaryExecutionOpenApi(maxRecipients),
    highThroughputExecutionOpenApi(maxRecipients),
    audienceExecutionOpenApi(),
    reportsOpenApi(),
    campaignsOpenApi(),
    campaignToolsOpenApi(),
    profilesOpenApi(),
    audiencesOpenApi(),
    suppressionsOpenApi(),
    settingsOpenApi(),
    feedbackWebhooksOpenApi(),
    apiKeysOpenApi(),
    apiCredentialsOpenApi(),
    imsTokenOpenApi(),
    webhooksOpenApi(),
    healthOpenApi(),
    apiDescriptionOpenApi(),
  ];
  const schemas = Object.assign({ Problem: problemSchema }, ...parts.map((part) => part.schemas)) as object;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herald API',
      version: '0.1.0',
      description:
        'Execution API (wire-compatible with Adobe Journey Optimizer Interactive Message Execution) and management API. ' +
        'Every operation but the probes, this description, the token request and the provider webhooks needs an API key, ' +
        'sent as `Authorization: Bearer <key>` or `x-api-key: <key>`, or (AJO style) an access token from `POST /ims/token/v3` ' +
        'as `Authorization: Bearer <token>` with `x-api-key: <client id>` and `x-gw-ims-org-id: <org id>`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative: the document describes the server that serves it, wherever it is deployed.
    servers: [{ url: '/', description: 'The Herald API serving this document.' }],
    security: apiKeySecurity,
    tags: distinctTags(parts),
    paths: Object.assign({}, ...parts.map(taggedPaths)) as object,
    components: {
      securitySchemes,
      responses: standardResponses,
      schemas: withoutNullable(schemas),
    },
  };
}
