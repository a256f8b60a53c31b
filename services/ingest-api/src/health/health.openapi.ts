import { operation, type OpenApiPart } from '../openapi/common';

const readiness = {
  responses: { '200': { description: 'Ready.' }, '503': { description: 'A dependency is down.' } },
};

export function healthOpenApi(): OpenApiPart {
  return {
    tag: { name: 'Health', description: 'Probes for orchestrators and load balancers; no API key.' },
    paths: {
      '/health': {
        get: operation('open', {
          operationId: 'getLiveness',
          summary: 'Liveness.',
          responses: { '200': { description: 'The process is up.' } },
        }),
      },
      '/ready': {
        get: operation('open', {
          operationId: 'getReadiness',
          summary: 'Readiness: the store and Redis answer.',
          ...readiness,
        }),
      },
      '/im/health': {
        get: operation('open', {
          operationId: 'getIMHealth',
          summary: 'Readiness (AJO path).',
          ...readiness,
        }),
      },
    },
    schemas: {},
  };
}
