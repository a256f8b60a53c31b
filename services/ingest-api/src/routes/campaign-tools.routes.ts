import { Router, type Request } from 'express';
import type { ChannelAdapter } from '@herald/channels';
import { ValidationError } from '@herald/errors';
import type { TemplateEngine } from '@herald/templating';
import { requireRole } from '../auth/require-role';
import { previewCampaign } from '../campaign-tools/campaign-preview';
import {
  previewSchema,
  testSendSchema,
  type PreviewRequest,
  type TestSendRequest,
} from '../campaign-tools/campaign-tools.schema';
import { testSendCampaign } from '../campaign-tools/test-send';
import { triggerSample } from '../campaign-tools/trigger-sample';
import { ContextValidators } from '../executions/context-validators';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import { createAjv, createUserSchemaAjv, toFieldErrors } from '../validation/ajv';
import type { RouteDeps } from './route-deps';

export interface CampaignToolsDeps extends RouteDeps {
  templates: TemplateEngine;
  /** Where test messages go: the channel adapter the workers deliver through. */
  outbox: ChannelAdapter;
}

/** A `Host` header as it may appear in a URL; anything else is replaced, never echoed. */
const HOST = /^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/;

/** Author tools (`manage` role): preview, test-send and a sample trigger call. */
export function campaignToolsRoutes(deps: CampaignToolsDeps): Router {
  const router = Router();
  const manage = requireRole('manage');
  const ajv = createAjv();
  const validatePreview = ajv.compile<PreviewRequest>(previewSchema);
  const validateTestSend = ajv.compile<TestSendRequest>(testSendSchema);
  const contextValidators = new ContextValidators(createUserSchemaAjv);
  const tools = { store: deps.store, templates: deps.templates, contextValidators };

  router.post('/campaigns/:id/preview', manage, ...jsonBody(deps.maxBodyBytes), async (req, res) => {
    const body: unknown = req.body;
    if (!validatePreview(body)) throw invalidBody(validatePreview.errors);
    res.json(await previewCampaign(tools, sandboxOf(req), pathParam(req, 'id'), body));
  });
  router.post('/campaigns/:id/test-send', manage, ...jsonBody(deps.maxBodyBytes), async (req, res) => {
    const body: unknown = req.body;
    if (!validateTestSend(body)) throw invalidBody(validateTestSend.errors);
    const sent = await testSendCampaign(
      { ...tools, adapter: deps.outbox, allowPrivatePushEndpoints: deps.allowPrivateUrls },
      sandboxOf(req),
      pathParam(req, 'id'),
      body,
    );
    res.json(sent);
  });
  router.get('/campaigns/:id/curl', manage, async (req, res) => {
    res.json(await triggerSample(deps.store, sandboxOf(req), pathParam(req, 'id'), baseUrlOf(req)));
  });
  return router;
}

function invalidBody(errors: Parameters<typeof toFieldErrors>[0]): ValidationError {
  return new ValidationError('invalid-request', 'The request body is invalid.', toFieldErrors(errors));
}

function baseUrlOf(req: Request): string {
  const host = req.get('host') ?? '';
  return `${req.protocol}://${HOST.test(host) ? host : 'localhost'}`;
}
