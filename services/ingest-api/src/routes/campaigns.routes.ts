import { Router } from 'express';
import type { CampaignService } from '../campaigns/campaign-service';
import { jsonBody } from '../http/json-body';
import { sandboxOf } from '../http/sandbox';

export function campaignsRoutes(campaigns: CampaignService, maxBodyBytes: number): Router {
  const router = Router();
  router.post('/campaigns', ...jsonBody(maxBodyBytes), async (req, res) => {
    const campaign = await campaigns.create(sandboxOf(req), req.body);
    res.status(201).location(`/campaigns/${campaign.id}`).json(campaign);
  });
  router.get('/campaigns/:id', async (req, res) => {
    res.json(await campaigns.get(sandboxOf(req), req.params.id));
  });
  router.post('/campaigns/:id/activate', async (req, res) => {
    res.json(await campaigns.activate(sandboxOf(req), req.params.id));
  });
  return router;
}
