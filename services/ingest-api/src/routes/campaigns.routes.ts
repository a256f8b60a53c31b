import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import type { CampaignService } from '../campaigns/campaign-service';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';

export function campaignsRoutes(campaigns: CampaignService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  router.post('/campaigns', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    const campaign = await campaigns.create(sandboxOf(req), req.body);
    res.status(201).location(`/campaigns/${campaign.id}`).json(campaign);
  });
  router.get('/campaigns/:id', manage, async (req, res) => {
    res.json(await campaigns.get(sandboxOf(req), pathParam(req, 'id')));
  });
  router.post('/campaigns/:id/activate', manage, async (req, res) => {
    res.json(await campaigns.activate(sandboxOf(req), pathParam(req, 'id')));
  });
  return router;
}
