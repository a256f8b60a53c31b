import { onExecutionApiBases } from '../http/execution-api-paths';
import { openGet, type OpenApiPart } from '../openapi/common';

const readiness = { '200': { description: 'Ready.' }, '503': { description: 'A dependency is down.' } };

export function healthOpenApi(): OpenApiPart {
  return {
    tag: { name: 'Health', description: 'Probes for orchestrators and load balancers; no API key.' },
    paths: {
      '/health': openGet('getLiveness', 'Liveness.', { '200': { description: 'The process is up.' } }),
      '/ready': openGet('getReadiness', 'Readiness: the store and Redis answer.', readiness),
      ...onExecutionApiBases({ '/im/health': openGet('getIMHealth', 'Readiness (AJO path).', readiness) }),
    },
    schemas: {},
  };
}
