import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '@herald/errors';
import type { ApiKeyRole } from '@herald/store';
import { sandboxOf } from '../http/sandbox';
import { principalOf, refusalOf } from './principal';

export interface RoleGuardOptions {
  /** Whether the key must also cover the sandbox the request addresses (`x-sandbox-name`); default true. */
  sandboxScoped?: boolean;
  /** What a request without a valid key is answered: its `WWW-Authenticate` challenge and message. */
  unauthenticated?: { challenge: string; message: string };
}

const BEARER_REQUIRED = {
  challenge: 'Bearer',
  message: 'A valid API key is required (Authorization: Bearer <key> or x-api-key).',
};

/**
 * Lets a request through only with a key holding `role` for the sandbox it addresses
 * (`x-sandbox-name`). 401 for a missing, unknown or revoked key (never saying which),
 * 403 for a valid key used outside its roles or sandboxes. An access token refused with a
 * precise reason (expired, revoked credential, headers not its own) is answered with it.
 */
export function requireRole(role: ApiKeyRole, options: RoleGuardOptions = {}): RequestHandler {
  return requireAnyRole([role], options);
}

/** As `requireRole`, with a key holding any of `roles`. */
export function requireAnyRole(
  roles: readonly [ApiKeyRole, ...ApiKeyRole[]],
  options: RoleGuardOptions = {},
): RequestHandler {
  const sandboxScoped = options.sandboxScoped ?? true;
  const unauthenticated = options.unauthenticated ?? BEARER_REQUIRED;
  const missingRole =
    roles.length === 1
      ? `This API key does not have the ${roles[0]} role.`
      : `This API key needs one of the roles ${roles.join(', ')}.`;
  return (req, res, next) => {
    const principal = principalOf(req);
    if (!principal) {
      const refusal = refusalOf(req);
      // RFC 6750: a refused bearer token is challenged with `invalid_token`.
      if (refusal?.status === 401) res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      else if (!refusal) res.setHeader('WWW-Authenticate', unauthenticated.challenge);
      next(refusal ?? new UnauthorizedError(unauthenticated.message));
      return;
    }
    if (!roles.some((role) => principal.roles.includes(role))) {
      next(new ForbiddenError(missingRole));
      return;
    }
    if (sandboxScoped) {
      const sandbox = sandboxOf(req);
      if (!principal.sandboxes.includes('*') && !principal.sandboxes.includes(sandbox)) {
        next(new ForbiddenError(`This API key may not use sandbox ${sandbox}.`));
        return;
      }
    }
    next();
  };
}
