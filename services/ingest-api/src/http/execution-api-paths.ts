import type { OpenApiObject } from '../openapi/common';

/**
 * The base paths of the execution API (executions, schedules, `/health`): Herald's `/im`, and
 * AJO's `/ajo/im`, since AJO's server URL is `https://platform.adobe.io/ajo` and a client built
 * for it only changes its host. Both lead to the same handlers.
 */
export const EXECUTION_API_BASES = ['/im', '/ajo/im'] as const;

/** `path` under each execution API base path, Herald's first. */
export function executionApiPaths(path: `/${string}`): string[] {
  return EXECUTION_API_BASES.map((base) => `${base}${path}`);
}

export function isExecutionApiPath(path: string): boolean {
  return EXECUTION_API_BASES.some((base) => path.startsWith(`${base}/`));
}

/** Suffix of the operationIds under `/im`: AJO's own ids name the `/ajo/im` operations. */
const HERALD_PATH_ID_SUFFIX = 'Herald';

function withOperations(
  item: OpenApiObject,
  change: (method: string, operation: OpenApiObject) => OpenApiObject,
): OpenApiObject {
  return Object.fromEntries(
    Object.entries(item).map(([method, operation]) => [method, change(method, operation as OpenApiObject)]),
  );
}

/**
 * The OpenAPI paths of the execution API under both base paths. `/ajo/im/…` operations carry the
 * given ids (AJO's), so a client generated from this document calls AJO's URLs by AJO's method
 * names; the `/im/…` ones end in `Herald` (one document needs distinct ids).
 */
export function onExecutionApiBases(paths: Record<string, OpenApiObject>): Record<string, OpenApiObject> {
  return Object.fromEntries(
    Object.entries(paths).flatMap(([path, item]) => {
      if (!path.startsWith('/im/')) return [[path, item]];
      const herald = withOperations(item, (_method, operation) => ({
        ...operation,
        operationId: `${String(operation.operationId)}${HERALD_PATH_ID_SUFFIX}`,
      }));
      const ajo = withOperations(item, (method, operation) => ({
        ...operation,
        summary: `${method.toUpperCase()} ${path} under AJO's base path.`,
      }));
      return [
        [path, herald],
        [`/ajo${path}`, ajo],
      ];
    }),
  );
}
