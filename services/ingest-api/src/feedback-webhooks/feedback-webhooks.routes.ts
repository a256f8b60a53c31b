import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import type { FeedbackWebhookService } from './feedback-webhook.service';

/**
 * Feedback webhook subscriptions of a sandbox (`manage` role). The provider webhooks
 * (`POST /webhooks/sendgrid`, `POST /webhooks/twilio`) are routed before the API key check and
 * answer those two paths first; no route here takes a POST on `/webhooks/{one segment}`.
 */
export function feedbackWebhooksRoutes(webhooks: FeedbackWebhookService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  router.post('/webhooks', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    const created = await webhooks.create(sandboxOf(req), req.body);
    res.status(201).location(`/webhooks/${created.id}`).json(created);
  });
  router.get('/webhooks', manage, async (req, res) => {
    res.json(await webhooks.list(sandboxOf(req), req.query));
  });
  router.get('/webhooks/:id', manage, async (req, res) => {
    res.json(await webhooks.get(sandboxOf(req), pathParam(req, 'id')));
  });
  router.patch('/webhooks/:id', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    res.json(await webhooks.update(sandboxOf(req), pathParam(req, 'id'), req.body));
  });
  router.delete('/webhooks/:id', manage, async (req, res) => {
    await webhooks.delete(sandboxOf(req), pathParam(req, 'id'));
    res.status(204).end();
  });
  router.post('/webhooks/:id/rotate-secret', manage, async (req, res) => {
    res.json(await webhooks.rotateSecret(sandboxOf(req), pathParam(req, 'id')));
  });
  router.post('/webhooks/:id/test', manage, async (req, res) => {
    res.status(202).json(await webhooks.sendTest(sandboxOf(req), pathParam(req, 'id')));
  });
  router.get('/webhooks/:id/deliveries', manage, async (req, res) => {
    res.json(await webhooks.listDeliveries(sandboxOf(req), pathParam(req, 'id'), req.query));
  });
  router.post('/webhooks/:id/deliveries/:eventId/replay', manage, async (req, res) => {
    res
      .status(202)
      .json(await webhooks.replay(sandboxOf(req), pathParam(req, 'id'), pathParam(req, 'eventId')));
  });
  return router;
}
