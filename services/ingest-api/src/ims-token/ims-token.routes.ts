import express, { Router } from 'express';
import { NotFoundError } from '@herald/errors';
import { OAuthError, tokenParameters, type ImsTokenService } from './ims-token.service';

/**
 * The token endpoint of AJO callers' IMS client (OAuth client credentials), unauthenticated:
 * the client id and secret are the credentials. Refusals use the OAuth error shape.
 */
export function imsTokenRoutes(tokens: ImsTokenService, maxBodyBytes: number): Router {
  const router = Router();
  router.post(
    '/ims/token/v3',
    express.urlencoded({ extended: false, limit: maxBodyBytes }),
    async (req, res) => {
      if (!tokens.enabled) {
        throw new NotFoundError(
          'tokens-not-configured',
          'This API issues no access tokens: TOKEN_SIGNING_KEYS is unset.',
        );
      }
      // RFC 6749 §5.1: token answers must not be cached, successful or not.
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      try {
        res.json(await tokens.issue(tokenParameters(req.body, req.query)));
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        res.status(error.status).json({ error: error.error, error_description: error.description });
      }
    },
  );
  return router;
}
