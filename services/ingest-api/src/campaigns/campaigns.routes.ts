import { Router, type Request, type Response } from 'express';
import type { Campaign } from '@herald/contracts';
import { ValidationError } from '@herald/errors';
import type { PageRequest } from '@herald/store';
import { heldLabels } from '../auth/campaign-access';
import { requireRole } from '../auth/require-role';
import type { CampaignService } from './campaign.service';
import { jsonBody } from '../http/json-body';
import { pageRequestOf, type PageQuery } from '../http/page-query';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';

const MAX_PAGE = 500;
const MAX_CURSOR = 512;

/** Campaign management (`manage` role): definitions, versions and lifecycle. */
export function campaignsRoutes(campaigns: CampaignService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  router.post('/campaigns', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    const campaign = await campaigns.create(sandboxOf(req), req.body, heldLabels(req));
    withVersionTag(res, campaign).status(201).location(`/campaigns/${campaign.id}`).json(campaign);
  });
  router.get('/campaigns', manage, async (req, res) => {
    res.json(await campaigns.list(sandboxOf(req), pageOf(req), heldLabels(req)));
  });
  router.get('/campaigns/:id', manage, async (req, res) => {
    const campaign = await campaigns.get(sandboxOf(req), pathParam(req, 'id'), heldLabels(req));
    withVersionTag(res, campaign).json(campaign);
  });
  router.put('/campaigns/:id', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    const id = pathParam(req, 'id');
    const campaign = await campaigns.update(sandboxOf(req), id, req.body, heldLabels(req), ifMatchOf(req));
    withVersionTag(res, campaign).json(campaign);
  });
  router.get('/campaigns/:id/versions', manage, async (req, res) => {
    res.json(
      await campaigns.listVersions(sandboxOf(req), pathParam(req, 'id'), pageOf(req), heldLabels(req)),
    );
  });
  router.get('/campaigns/:id/versions/:version', manage, async (req, res) => {
    res.json(
      await campaigns.getVersion(sandboxOf(req), pathParam(req, 'id'), versionOf(req), heldLabels(req)),
    );
  });
  router.post('/campaigns/:id/activate', manage, async (req, res) => {
    res.json(await campaigns.activate(sandboxOf(req), pathParam(req, 'id'), heldLabels(req)));
  });
  router.post('/campaigns/:id/publish', manage, async (req, res) => {
    res.json(await campaigns.publish(sandboxOf(req), pathParam(req, 'id'), heldLabels(req)));
  });
  router.post('/campaigns/:id/stop', manage, async (req, res) => {
    res.json(await campaigns.stop(sandboxOf(req), pathParam(req, 'id'), heldLabels(req)));
  });
  router.post('/campaigns/:id/archive', manage, async (req, res) => {
    res.json(await campaigns.archive(sandboxOf(req), pathParam(req, 'id'), heldLabels(req)));
  });
  return router;
}

/** The latest version is the entity tag a later `If-Match` sends back. */
function withVersionTag(res: Response, campaign: Campaign): Response {
  return res.setHeader('ETag', `"${campaign.latestVersion}"`);
}

/** `If-Match: "3"` (or `3`): the latest version the caller has seen. */
function ifMatchOf(req: Request): number | undefined {
  const header = req.header('if-match');
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?([1-9][0-9]{0,8})"?\s*$/.exec(header);
  if (!match) {
    throw new ValidationError('invalid-if-match', 'If-Match must name a campaign version, e.g. "3".', [
      { path: 'header:if-match', code: 'pattern', message: 'must be a version number' },
    ]);
  }
  return Number(match[1]);
}

function versionOf(req: Request): number {
  const raw = pathParam(req, 'version');
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw new ValidationError('invalid-version', 'The version must be a positive integer.', [
      { path: 'path:version', code: 'pattern', message: 'must be a positive integer' },
    ]);
  }
  return Number(raw);
}

/** `?limit=&cursor=`; an out-of-range limit is refused rather than silently clamped. */
function pageOf(req: Request): PageRequest {
  const { limit, cursor } = req.query;
  const problems = [];
  if (limit !== undefined && (typeof limit !== 'string' || !isPageLimit(limit))) {
    problems.push({
      path: 'query:limit',
      code: 'range',
      message: `must be an integer from 1 to ${MAX_PAGE}`,
    });
  }
  if (cursor !== undefined && (typeof cursor !== 'string' || cursor.length > MAX_CURSOR)) {
    problems.push({ path: 'query:cursor', code: 'type', message: 'must be a cursor from a previous page' });
  }
  if (problems.length > 0)
    throw new ValidationError('invalid-page', 'The paging parameters are invalid.', problems);
  // Checked above: each is absent or a valid string.
  return pageRequestOf(req.query as PageQuery);
}

function isPageLimit(raw: string): boolean {
  return /^[0-9]{1,3}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= MAX_PAGE;
}
