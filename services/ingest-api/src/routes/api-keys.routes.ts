import { Router } from 'express';
import type { ApiKey, ApiKeyRole } from '@herald/store';
import { ForbiddenError, NotFoundError, ValidationError } from '@herald/errors';
import { generateApiKey, hashApiKey } from '../auth/api-key-secret';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { principalOf } from '../auth/principal';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pageQueryProperties, pageRequestOf, type PageQuery } from '../http/page-query';
import { pathParam } from '../http/path-param';
import { createAjv, toFieldErrors } from '../validation/ajv';
import { SANDBOX_PATTERN } from '@herald/contracts';
import type { RouteDeps } from './route-deps';

interface NewApiKeyBody {
  name: string;
  roles: ApiKeyRole[];
  sandboxes: string[];
}

export const newApiKeySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'roles', 'sandboxes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    roles: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: ['execute', 'manage', 'admin'] },
    },
    sandboxes: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      items: { anyOf: [{ const: '*' }, { type: 'string', pattern: SANDBOX_PATTERN }] },
    },
  },
} as const;

/** What a listing shows of a key: never its hash. */
function publicView(key: ApiKey): Omit<ApiKey, 'hash'> {
  const { hash: _hash, ...rest } = key;
  return rest;
}

/** Key management (`admin` role). A key is shown once, in the answer that creates it. */
export function apiKeysRoutes(deps: RouteDeps, authenticator: ApiKeyAuthenticator): Router {
  const router = Router();
  const validate = createAjv().compile<NewApiKeyBody>(newApiKeySchema);
  const admin = requireRole('admin', { sandboxScoped: false });
  router.post('/api-keys', admin, ...jsonBody(deps.maxBodyBytes), async (req, res) => {
    if (!validate(req.body)) {
      throw new ValidationError(
        'invalid-api-key',
        'The API key definition is invalid.',
        toFieldErrors(validate.errors),
      );
    }
    const creator = principalOf(req);
    if (!creator || !covers(creator.sandboxes, req.body.sandboxes)) {
      throw new ForbiddenError('An admin key can only create keys for sandboxes it covers itself.');
    }
    const key = generateApiKey();
    const stored = await deps.store.apiKeys.create({ ...req.body, hash: hashApiKey(key) });
    res.status(201).json({ ...publicView(stored), key });
  });
  const validateQuery = createAjv().compile<PageQuery>({
    type: 'object',
    additionalProperties: false,
    properties: pageQueryProperties,
  });
  router.get('/api-keys', admin, async (req, res) => {
    if (!validateQuery(req.query)) {
      throw new ValidationError(
        'invalid-query',
        'The query string is invalid.',
        toFieldErrors(validateQuery.errors),
      );
    }
    const page = await deps.store.apiKeys.list(pageRequestOf(req.query));
    const viewer = principalOf(req)?.sandboxes ?? [];
    const visible = page.items.filter((item) => covers(viewer, item.sandboxes));
    res.json({ items: visible.map(publicView), nextCursor: page.nextCursor });
  });
  router.delete('/api-keys/:id', admin, async (req, res) => {
    const id = pathParam(req, 'id');
    const viewer = principalOf(req)?.sandboxes ?? [];
    const target = viewer.includes('*') ? undefined : await findKey(deps, id);
    if (target && !covers(viewer, target.sandboxes)) {
      throw new NotFoundError('api-key-not-found', `no active API key ${id}`);
    }
    if (!(await deps.store.apiKeys.revoke(id))) {
      throw new NotFoundError('api-key-not-found', `no active API key ${pathParam(req, 'id')}`);
    }
    authenticator.forget();
    res.status(204).end();
  });
  return router;
}

/**
 * Admin keys are scoped like the others: a key bound to some sandboxes sees, creates and revokes
 * only keys within them; `*` covers everything.
 */
function covers(holder: readonly string[], wanted: readonly string[]): boolean {
  return holder.includes('*') || wanted.every((sandbox) => sandbox !== '*' && holder.includes(sandbox));
}

async function findKey(deps: RouteDeps, id: string): Promise<ApiKey | undefined> {
  let cursor: string | undefined;
  do {
    const page = await deps.store.apiKeys.list({ limit: 500, ...(cursor ? { cursor } : {}) });
    const found = page.items.find((item) => item.id === id);
    if (found) return found;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}
