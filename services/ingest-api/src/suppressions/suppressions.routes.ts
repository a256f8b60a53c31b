import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import type { SuppressionService } from './suppression.service';

/** The suppression list (`manage` role). Addresses in paths are URL-encoded (`encodeURIComponent`). */
export function suppressionsRoutes(suppressions: SuppressionService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  router.post('/suppressions', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
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
