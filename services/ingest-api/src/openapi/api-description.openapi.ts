import { openGet, type OpenApiPart } from './common';

/** The routes of `openapi.routes.ts`: this document and Swagger UI over it. */
export function apiDescriptionOpenApi(): OpenApiPart {
  return {
    tag: { name: 'API description', description: 'This OpenAPI document and its Swagger UI; no API key.' },
    paths: {
      '/docs': openGet('getApiReference', 'This document rendered by Swagger UI (assets under /docs/).', {
        '301': { description: 'Redirect to /docs/.' },
      }),
      '/openapi.json': openGet('getOpenApiDocument', 'This document.', {
        '200': {
          description: 'OpenAPI 3.1 document.',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      }),
    },
    schemas: {},
  };
}
