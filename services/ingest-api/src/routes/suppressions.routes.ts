import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import { SuppressionService } from '../suppressions/suppression-service';
import type { RouteDeps } from './route-deps';

/** The suppression list (`manage` role). Addresses in paths are URL-encoded (`encodeURIComponent`). */
export function suppressionsRoutes(deps: RouteDeps): Router {
  const router = Router();
  const suppressions = new SuppressionService(deps.store.suppressions);
  const manage = requireRole('manage');
  router.post('/suppressions', manage, ...jsonBody(deps.maxBodyBytes), async (req, res) => {
    const { entry, created } = await suppressions.add(sandboxOf(req), req.body);
    if (created) {
      res.status(201).location(`/suppressions/${entry.channel}/${encodeURIComponent(entry.address)}`);
    }
    res.json(entry);
  });
  router.get('/suppressions', manage, async (req, res) => {
    res.json(await suppressions.list(sandboxOf(req), req.query));
  });
  router.get('/suppressions/:channel/:address', manage, async (req, res) => {
    res.json(await suppressions.check(sandboxOf(req), pathParam(req, 'channel'), pathParam(req, 'address')));
  });
  router.delete('/suppressions/:channel/:address', manage, async (req, res) => {
    await suppressions.remove(sandboxOf(req), pathParam(req, 'channel'), pathParam(req, 'address'));
    res.status(204).end();
  });
  return router;
}
