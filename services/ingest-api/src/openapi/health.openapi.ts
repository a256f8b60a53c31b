import type { OpenApiPart } from './common';

const readiness = {
  responses: { '200': { description: 'Ready.' }, '503': { description: 'A dependency is down.' } },
};

export function healthOpenApi(): OpenApiPart {
  return {
    paths: {
      '/health': {
        get: { summary: 'Liveness.', responses: { '200': { description: 'The process is up.' } } },
      },
      '/ready': { get: { summary: 'Readiness: the store and Redis answer.', ...readiness } },
      '/im/health': { get: { summary: 'Readiness (AJO path).', ...readiness } },
      '/docs': {
        get: {
          summary: 'This document rendered by Swagger UI (assets under /docs/).',
          responses: { '301': { description: 'Redirect to /docs/.' } },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1 document.' } } },
      },
    },
    schemas: {},
  };
}
