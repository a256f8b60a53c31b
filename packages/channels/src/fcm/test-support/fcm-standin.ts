import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type http from 'node:http';
import {
  BehaviourSwitch,
  listenOnLoopback,
  pause,
  readBody,
  respond,
  type StandinBehaviour,
} from '@herald/testing';

export interface FcmStandinServiceAccount {
  type: 'service_account';
  project_id: string;
  client_email: string;
  private_key: string;
  token_uri: string;
}

export interface ReceivedFcmMessage {
  token: string;
  notification?: { title?: string; body?: string; image?: string };
  data?: Record<string, string>;
  android?: { ttl?: string; priority?: string };
  accessToken: string;
}

export interface FcmStandin {
  url: string;
  projectId: string;
  /** A service account key whose `token_uri` is the stand-in's token endpoint. */
  serviceAccount: FcmStandinServiceAccount;
  received: ReceivedFcmMessage[];
  /** JWT assertions exchanged for access tokens so far. */
  readonly tokenExchanges: number;
  /** A registration token the stand-in knows; unknown tokens get INVALID_ARGUMENT. */
  createToken(): string;
  /** The app was uninstalled: the token answers 404 UNREGISTERED from now on. */
  unregister(token: string): void;
  /** Every access token issued so far is refused with 401 from now on. */
  revokeAccessTokens(): void;
  behave(behaviour: StandinBehaviour): void;
  close(): Promise<void>;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MAX_PAYLOAD_BYTES = 4096;
const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const STATUS_NAMES: Record<number, string> = {
  429: 'QUOTA_EXCEEDED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
};

class FcmRejection extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Google's OAuth token endpoint (the JWT-bearer grant of a service account) and FCM HTTP v1
 * `messages:send`, strict where they are: the assertion must verify with the service account's
 * key and name the token endpoint as `aud`; a send needs a live access token and a valid message.
 */
export async function startFcmStandin(
  options: { projectId?: string; accessTokenSeconds?: number; port?: number } = {},
): Promise<FcmStandin> {
  const projectId = options.projectId ?? 'herald-test';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientEmail = `herald@${projectId}.iam.gserviceaccount.com`;
  const tokens = new Set<string>();
  const unregistered = new Set<string>();
  const accessTokens = new Map<string, number>();
  const received: ReceivedFcmMessage[] = [];
  const behaviour = new BehaviourSwitch();
  let tokenExchanges = 0;
  let tokenUri = '';

  const exchange = (
    form: URLSearchParams,
  ): { access_token: string; expires_in: number; token_type: string } => {
    if (form.get('grant_type') !== JWT_BEARER) throw new OAuthRejection('unsupported_grant_type');
    const claims = verifyAssertion(form.get('assertion') ?? '', publicKey);
    const now = Math.floor(Date.now() / 1000);
    if (claims.aud !== tokenUri) throw new OAuthRejection('invalid_grant', `aud must be ${tokenUri}`);
    if (claims.iss !== clientEmail) throw new OAuthRejection('invalid_grant', 'unknown iss');
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(SCOPE)) {
      throw new OAuthRejection('invalid_scope', `scope must include ${SCOPE}`);
    }
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!(iat <= now + 60 && exp > now && exp - iat <= 3600))
      throw new OAuthRejection('invalid_grant', 'bad iat/exp');
    tokenExchanges += 1;
    const expiresIn = options.accessTokenSeconds ?? 3600;
    const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
    accessTokens.set(accessToken, Date.now() + expiresIn * 1000);
    return { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer' };
  };

  const accept = (request: http.IncomingMessage, text: string): { name: string } => {
    const match = SEND_PATH.exec(request.url ?? '');
    if (request.method !== 'POST' || match?.[1] !== projectId)
      throw new FcmRejection(404, 'NOT_FOUND', 'no such resource');
    const accessToken = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const expiresAt = accessTokens.get(accessToken);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      throw new FcmRejection(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const message = parseMessage(text);
    if (!tokens.has(message.token)) {
      throw new FcmRejection(
        400,
        'INVALID_ARGUMENT',
        'The registration token is not a valid FCM registration token',
      );
    }
    if (unregistered.has(message.token))
      throw new FcmRejection(404, 'UNREGISTERED', 'Requested entity was not found.');
    received.push({ ...message, accessToken });
    return { name: `projects/${projectId}/messages/${randomBytes(8).toString('hex')}` };
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const text = await readBody(request);
    if (request.url === '/token') {
      try {
        respond(response, 200, exchange(new URLSearchParams(text)));
      } catch (error) {
        const rejection = error instanceof OAuthRejection ? error : new OAuthRejection('invalid_request');
        respond(response, 400, { error: rejection.code, error_description: rejection.message });
      }
      return;
    }
    const decision = behaviour.next();
    await pause(decision.latencyMs);
    if (decision.status !== undefined) {
      const headers: Record<string, string> =
        decision.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(decision.retryAfterSeconds) };
      const errorCode = STATUS_NAMES[decision.status] ?? 'UNSPECIFIED_ERROR';
      respond(response, decision.status, fcmError(decision.status, errorCode, 'behaving as told'), headers);
      return;
    }
    try {
      respond(response, 200, accept(request, text));
    } catch (error) {
      const rejection =
        error instanceof FcmRejection ? error : new FcmRejection(500, 'INTERNAL', 'internal error');
      respond(
        response,
        rejection.status,
        fcmError(rejection.status, rejection.errorCode, rejection.message, rejection.field),
      );
    }
  };

  const server = await listenOnLoopback((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (!response.headersSent) respond(response, 500, fcmError(500, 'INTERNAL', error.message));
    });
  }, options.port);
  tokenUri = `${server.url}/token`;

  return {
    url: server.url,
    projectId,
    serviceAccount: {
      type: 'service_account',
      project_id: projectId,
      client_email: clientEmail,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      token_uri: tokenUri,
    },
    received,
    get tokenExchanges() {
      return tokenExchanges;
    },
    createToken: () => {
      const token = `${randomBytes(11).toString('base64url')}:APA91b${randomBytes(100).toString('base64url')}`;
      tokens.add(token);
      return token;
    },
    unregister: (token) => unregistered.add(token),
    revokeAccessTokens: () => accessTokens.clear(),
    behave: (next) => behaviour.behave(next),
    close: () => server.close(),
  };
}

class OAuthRejection extends Error {
  constructor(
    readonly code: string,
    message = code,
  ) {
    super(message);
  }
}

/** A google.rpc.Status as FCM answers it: an FcmError detail, or a BadRequest naming the field. */
function fcmError(status: number, errorCode: string, message: string, field?: string): object {
  const detail = field
    ? {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field, description: message }],
      }
    : { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode };
  return { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN', details: [detail] } };
}

function verifyAssertion(assertion: string, publicKey: KeyObject): Record<string, unknown> {
  const [header, claims, signature] = assertion.split('.');
  if (!header || !claims || !signature) throw new OAuthRejection('invalid_grant', 'malformed assertion');
  if (decode(header).alg !== 'RS256') throw new OAuthRejection('invalid_grant', 'alg must be RS256');
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw new OAuthRejection('invalid_grant', 'Invalid JWT Signature.');
  return decode(claims);
}

function decode(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** FCM v1's rules for a message to one token: token set, data values strings, payload ≤ 4 KB, valid android fields. */
function parseMessage(text: string): Omit<ReceivedFcmMessage, 'accessToken'> {
  let body: { message?: Record<string, unknown> };
  try {
    body = JSON.parse(text) as { message?: Record<string, unknown> };
  } catch {
    throw new FcmRejection(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.', 'message');
  }
  const message = body.message;
  if (typeof message !== 'object' || message === null) {
    throw new FcmRejection(400, 'INVALID_ARGUMENT', 'message is required', 'message');
  }
  const { token, notification, data, android } = message as Record<string, unknown>;
  if (typeof token !== 'string' || token === '') {
    throw new FcmRejection(400, 'INVALID_ARGUMENT', 'Recipient of the message is not set.', 'message.token');
  }
  if (data !== undefined) {
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
      if (typeof value !== 'string') {
        throw new FcmRejection(
          400,
          'INVALID_ARGUMENT',
          `Invalid value at 'message.data' (TYPE_STRING)`,
          `message.data[${key}]`,
        );
      }
    }
  }
  const androidConfig = (android ?? {}) as { ttl?: unknown; priority?: unknown };
  if (androidConfig.ttl !== undefined && !/^\d+(\.\d{1,9})?s$/.test(String(androidConfig.ttl))) {
    throw new FcmRejection(
      400,
      'INVALID_ARGUMENT',
      'Invalid value at message.android.ttl',
      'message.android.ttl',
    );
  }
  if (androidConfig.priority !== undefined && !['HIGH', 'NORMAL'].includes(String(androidConfig.priority))) {
    throw new FcmRejection(
      400,
      'INVALID_ARGUMENT',
      'Invalid value at message.android.priority',
      'message.android.priority',
    );
  }
  if (Buffer.byteLength(JSON.stringify({ notification, data })) > MAX_PAYLOAD_BYTES) {
    throw new FcmRejection(400, 'INVALID_ARGUMENT', 'Message is too big', 'message');
  }
  return {
    token,
    ...(notification === undefined
      ? {}
      : { notification: notification as ReceivedFcmMessage['notification'] }),
    ...(data === undefined ? {} : { data: data as Record<string, string> }),
    ...(android === undefined ? {} : { android: android as ReceivedFcmMessage['android'] }),
  };
}
