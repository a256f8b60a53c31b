import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { sandboxOf } from '../http/sandbox';
import type { SettingsService } from './settings.service';

/** The delivery policy of the caller's sandbox: frequency caps and quiet hours (`manage` role). */
export function settingsRoutes(settings: SettingsService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  router.get('/settings', manage, async (req, res) => {
    res.json(await settings.get(sandboxOf(req)));
  });
  router.put('/settings', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    res.json(await settings.put(sandboxOf(req), req.body));
  });
  return router;
}
