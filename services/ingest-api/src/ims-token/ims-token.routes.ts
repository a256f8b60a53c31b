import express, { Router } from 'express';
import { NotFoundError } from '@herald/errors';
import {
  OAuthError,
  TOKEN_REQUEST_MAX_BYTES,
  tokenParameters,
  type ImsTokenService,
} from './ims-token.service';

/**
 * The token endpoint of AJO callers' IMS client (OAuth client credentials), unauthenticated:
 * the client id and secret are the credentials. Refusals use the OAuth error shape.
 */
export function imsTokenRoutes(tokens: ImsTokenService): Router {
  const router = Router();
  router.post(
    '/ims/token/v3',
    express.urlencoded({ extended: false, limit: TOKEN_REQUEST_MAX_BYTES }),
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
        res.json(await tokens.issue(tokenParameters(req.body, req.query, req.header('authorization'))));
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        // RFC 6749 §5.2: a client that authenticated with a scheme is told which one to retry with.
        if (error.status === 401 && /^basic /i.test(req.header('authorization') ?? '')) {
          res.setHeader('WWW-Authenticate', 'Basic realm="ims"');
        }
        res.status(error.status).json({ error: error.error, error_description: error.description });
      }
    },
  );
  return router;
}
