import express, { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

/**
 * Points Swagger UI at our document instead of its demo; served in place of the packaged file.
 * The document's security schemes give the page its Authorize button; `persistAuthorization`
 * keeps the key entered there across reloads, so "Try it out" keeps working.
 */
const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '../openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

/** `/openapi.json` and `/docs` (Swagger UI served from the installed package: no CDN, works offline). */
export function openApiRoutes(document: Record<string, unknown>): Router {
  const router = Router();
  const body = JSON.stringify(document);
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  // Swagger UI's page loads its assets relative to /docs/, so /docs itself must redirect; with
  // Express's non-strict routing this route also sees /docs/, which must fall through to the files.
  router.get('/docs', (req, res, next) => {
    if (req.originalUrl.split('?')[0]?.endsWith('/')) next();
    else res.redirect(301, '/docs/');
  });
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('application/javascript').send(INITIALIZER);
  });
  router.use('/docs/', express.static(getAbsoluteFSPath(), { index: 'index.html', maxAge: '1h' }));
  return router;
}
