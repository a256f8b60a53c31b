import type { RequestHandler } from 'express';
import { ForbiddenError } from '@herald/errors';
import type { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { principalOf } from '../auth/principal';
import { requireRole } from '../auth/require-role';

/** The challenge that makes a browser ask for credentials. */
export const BASIC_CHALLENGE = 'Basic realm="herald"';

/**
 * Browsers cannot add a header to the pages of a UI, but they do send HTTP Basic credentials:
 * on the admin UIs the API key may be given as the Basic password (any user name). A key already
 * presented as Bearer or x-api-key takes precedence.
 */
export function apiKeyFromBasicAuth(authenticator: ApiKeyAuthenticator): RequestHandler {
  return (req, _res, next) => {
    const key = principalOf(req) ? undefined : basicPassword(req.header('authorization'));
    if (key === undefined) {
      next();
      return;
    }
    authenticator.authenticate(req, key, next);
  };
}

/** Admin keys only; a missing or unknown key is challenged for Basic credentials. */
export function requireAdminKey(): RequestHandler {
  return requireRole('admin', {
    sandboxScoped: false,
    unauthenticated: {
      challenge: BASIC_CHALLENGE,
      message:
        'An admin API key is required (HTTP Basic with the key as password, or Authorization: Bearer <key>).',
    },
  });
}

/**
 * Keys of every sandbox (`*`) only, after `requireAdminKey`: the board shows, retries and cleans the
 * jobs of all sandboxes together and cannot scope them to the key's own.
 */
export function requireAllSandboxes(): RequestHandler {
  return (req, _res, next) => {
    if (principalOf(req)?.sandboxes.includes('*')) {
      next();
      return;
    }
    next(
      new ForbiddenError(
        'Bull Board shows the jobs of every sandbox: it needs an admin key for all sandboxes (*).',
        'all-sandboxes-required',
      ),
    );
  };
}

/** The password of `Authorization: Basic base64(user:password)`, if one is there. */
export function basicPassword(authorization: string | undefined): string | undefined {
  const encoded = authorization ? /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(authorization)?.[1] : undefined;
  if (encoded === undefined) return undefined;
  const credentials = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  const password = colon >= 0 ? credentials.slice(colon + 1) : '';
  return password === '' ? undefined : password;
}
