import type { RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '@herald/errors';
import type { ApiKeyRole } from '@herald/store';
import { sandboxOf } from '../http/sandbox';
import { principalOf } from './principal';

/**
 * Lets a request through only with a key holding `role` for the sandbox it addresses
 * (`x-sandbox-name`). 401 for a missing, unknown or revoked key (never saying which),
 * 403 for a valid key used outside its roles or sandboxes.
 */
export function requireRole(role: ApiKeyRole, options: { sandboxScoped?: boolean } = {}): RequestHandler {
  const sandboxScoped = options.sandboxScoped ?? true;
  return (req, res, next) => {
    const principal = principalOf(req);
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      next(new UnauthorizedError('A valid API key is required (Authorization: Bearer <key> or x-api-key).'));
      return;
    }
    if (!principal.roles.includes(role)) {
      next(new ForbiddenError(`This API key does not have the ${role} role.`));
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
