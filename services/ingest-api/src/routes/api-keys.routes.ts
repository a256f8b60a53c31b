import { Router } from 'express';
import type { ApiKey, ApiKeyRole } from '@herald/store';
import { NotFoundError, ValidationError } from '@herald/errors';
import { generateApiKey, hashApiKey } from '../auth/api-key-secret';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pageQueryProperties } from '../http/page-query';
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
    const key = generateApiKey();
    const stored = await deps.store.apiKeys.create({ ...req.body, hash: hashApiKey(key) });
    res.status(201).json({ ...publicView(stored), key });
  });
  const validateQuery = createAjv().compile<{ limit?: string; cursor?: string }>({
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
    const page = await deps.store.apiKeys.list({
      ...(typeof req.query.cursor === 'string' ? { cursor: req.query.cursor } : {}),
      ...(typeof req.query.limit === 'string' ? { limit: Number(req.query.limit) } : {}),
    });
    res.json({ items: page.items.map(publicView), nextCursor: page.nextCursor });
  });
  router.delete('/api-keys/:id', admin, async (req, res) => {
    if (!(await deps.store.apiKeys.revoke(pathParam(req, 'id')))) {
      throw new NotFoundError('api-key-not-found', `no active API key ${pathParam(req, 'id')}`);
    }
    authenticator.forget();
    res.status(204).end();
  });
  return router;
}
