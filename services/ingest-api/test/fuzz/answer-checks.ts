import type { FuzzOperation } from './openapi-operations';
import type { RawAnswer } from './raw-http';

const PROBLEM_JSON = 'application/problem+json';
/** A machine-readable code: kebab-case, as in the error-code catalogue. */
const CODE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** An OAuth error code (`invalid_client`, RFC 6749 §5.2). */
const OAUTH_ERROR = /^[a-z]+(_[a-z]+)*$/;

/**
 * Why an answer breaks the API's error contract, or undefined when it keeps it: never a 5xx, and
 * every 4xx a problem+json whose `code` a program can branch on and whose `status` is the HTTP
 * one. An operation that documents another media type for a 4xx (the token endpoint answers
 * OAuth's `{error, error_description}` in application/json, RFC 6749 §5.2) is held to that.
 */
export function answerProblem(operation: FuzzOperation, answer: RawAnswer): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (answer.status < 400) return undefined;
  const mediaType = answer.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const documented = operation.responses[String(answer.status)] ?? [];
  const oauth = mediaType === 'application/json' && documented.includes('application/json');
  if (mediaType !== PROBLEM_JSON && !oauth) {
    return `answered ${answer.status} as "${answer.contentType}", not ${PROBLEM_JSON}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `answered ${answer.status} with a body that is not JSON`;
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = oauth ? fields.error : fields.code;
  if (typeof code !== 'string' || !(oauth ? OAUTH_ERROR : CODE).test(code)) {
    return `answered ${answer.status} without a machine-readable ${oauth ? 'error' : 'code'}`;
  }
  if (!oauth && fields.status !== answer.status) {
    return `answered ${answer.status} with a problem whose status is ${String(fields.status)}`;
  }
  return undefined;
}
