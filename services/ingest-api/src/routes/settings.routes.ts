import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { sandboxOf } from '../http/sandbox';
import { SettingsInputValidator } from '../settings/settings.schema';
import type { RouteDeps } from './route-deps';

/** The delivery policy of the caller's sandbox: frequency caps and quiet hours (`manage` role). */
export function settingsRoutes(deps: RouteDeps): Router {
  const router = Router();
  const validator = new SettingsInputValidator();
  const manage = requireRole('manage');
  router.get('/settings', manage, async (req, res) => {
    const sandbox = sandboxOf(req);
    // A sandbox that never stored settings has no caps and no quiet hours.
    res.json((await deps.store.settings.get(sandbox)) ?? { sandbox, frequencyCaps: {}, updatedAt: null });
  });
  router.put('/settings', manage, ...jsonBody(deps.maxBodyBytes), async (req, res) => {
    const input = validator.parse(req.body);
    res.json(await deps.store.settings.put(sandboxOf(req), input));
  });
  return router;
}
