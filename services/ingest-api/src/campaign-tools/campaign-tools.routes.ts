import { Router, type Request } from 'express';
import { heldLabels } from '../auth/campaign-access';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import type { CampaignToolsService } from './campaign-tools.service';

/** A `Host` header as it may appear in a URL; anything else is replaced, never echoed. */
const HOST = /^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/;

/** Author tools (`manage` role): preview, test-send and a sample trigger call. */
export function campaignToolsRoutes(tools: CampaignToolsService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  router.post('/campaigns/:id/preview', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    res.json(await tools.preview(sandboxOf(req), pathParam(req, 'id'), req.body, heldLabels(req)));
  });
  router.post('/campaigns/:id/test-send', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    res.json(await tools.testSend(sandboxOf(req), pathParam(req, 'id'), req.body, heldLabels(req)));
  });
  router.get('/campaigns/:id/curl', manage, async (req, res) => {
    const id = pathParam(req, 'id');
    res.json(await tools.triggerSample(sandboxOf(req), id, baseUrlOf(req), heldLabels(req)));
  });
  return router;
}

function baseUrlOf(req: Request): string {
  const host = req.get('host') ?? '';
  return `${req.protocol}://${HOST.test(host) ? host : 'localhost'}`;
}
