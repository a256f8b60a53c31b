import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import {
  BehaviourSwitch,
  listenOnLoopback,
  parseJsonOrText,
  pause,
  readBody,
  respond,
  type StandinBehaviour,
} from '@herald/testing';

export interface AcceptedSms {
  sid: string;
  to: string;
  /** `From`, or '' when the message went through a Messaging Service. */
  from: string;
  messagingServiceSid?: string;
  body: string;
  statusCallback?: string;
  acceptedAt: number;
}

export interface TwilioStandin {
  /** Base URL (`http://127.0.0.1:port`) standing for `https://api.twilio.com`. */
  url: string;
  accountSid: string;
  authToken: string;
  accepted: AcceptedSms[];
  readonly requestCount: number;
  behave(behaviour: StandinBehaviour): void;
  /**
   * Calls the status callback of `sms` as Twilio does: a form POST (MessageSid, MessageStatus,
   * To, From, AccountSid, ApiVersion, plus `extra` such as ErrorCode) signed in X-Twilio-Signature.
   */
  postStatus(
    sms: AcceptedSms,
    status: string,
    extra?: Record<string, string>,
  ): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY_CHARS = 1600;

/** A local stand-in for Twilio's Programmable Messaging "create message" call, with Twilio's error JSON. */
export async function startTwilioStandin(
  options: { accountSid?: string; authToken?: string; port?: number } = {},
): Promise<TwilioStandin> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const expectedAuthorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const accepted: AcceptedSms[] = [];
  const behaviour = new BehaviourSwitch();
  // Sids are a random 20-hex prefix plus a 12-hex counter: 'SM' + 32 hex like Twilio's.
  const sidPrefix = `SM${randomBytes(10).toString('hex')}`;
  let requestCount = 0;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    requestCount += 1;
    const body = await readBody(request);
    const decision = behaviour.next();
    await pause(decision.latencyMs);
    const path = MESSAGES_PATH.exec((request.url ?? '').split('?')[0]!);
    if (request.method !== 'POST' || !path) {
      return sendError(response, 404, 20404, 'The requested resource was not found');
    }
    if (decision.status !== undefined) {
      const headers: Record<string, string> =
        decision.retryAfterSeconds !== undefined ? { 'Retry-After': String(decision.retryAfterSeconds) } : {};
      return sendError(
        response,
        decision.status,
        switchedCode(decision.status),
        switchedMessage(decision.status),
        headers,
      );
    }
    if (request.headers.authorization !== expectedAuthorization) {
      return sendError(response, 401, 20003, 'Authenticate');
    }
    if (path[1] !== accountSid) {
      return sendError(response, 404, 20404, `The requested resource ${path[0]} was not found`);
    }
    const form = new URLSearchParams(body);
    const to = form.get('To');
    const from = form.get('From');
    const text = form.get('Body');
    if (!to) return sendError(response, 400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return sendError(response, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;
    if (!from && !messagingServiceSid) {
      return sendError(response, 400, 21603, "A 'From' phone number is required.");
    }
    if (!text) return sendError(response, 400, 21602, 'Message body is required.');
    if (text.length > MAX_BODY_CHARS) {
      return sendError(
        response,
        400,
        21617,
        'The concatenated message body exceeds the 1600 character limit.',
      );
    }
    const sid = `${sidPrefix}${accepted.length.toString(16).padStart(12, '0')}`;
    const statusCallback = form.get('StatusCallback') ?? undefined;
    const acceptedAt = Date.now();
    accepted.push({
      sid,
      to,
      from: from ?? '',
      ...(messagingServiceSid ? { messagingServiceSid } : {}),
      body: text,
      ...(statusCallback ? { statusCallback } : {}),
      acceptedAt,
    });
    respond(response, 201, messageResource(accountSid, sid, to, from, text, acceptedAt));
  }

  const server = await listenOnLoopback((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendError(response, 500, 20500, 'Internal Server Error');
    });
  }, options.port);

  return {
    url: server.url,
    accountSid,
    authToken,
    accepted,
    get requestCount() {
      return requestCount;
    },
    behave: (next) => behaviour.behave(next),
    postStatus: (sms, status, extra = {}) => postStatus(accountSid, authToken, sms, status, extra),
    close: () => server.close(),
  };
}

function sendError(
  response: http.ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const error: TwilioError = {
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  };
  respond(response, status, error, headers);
}

function switchedCode(status: number): number {
  if (status === 400) return 21211;
  if (status === 401) return 20003;
  return 20000 + status;
}

function switchedMessage(status: number): string {
  if (status === 429) return 'Too Many Requests';
  if (status === 400) return "Invalid 'To' Phone Number";
  if (status >= 500) return 'Service Unavailable';
  return 'Request refused';
}

/** The message resource Twilio answers a create with (2010-04-01 API, JSON). */
function messageResource(
  accountSid: string,
  sid: string,
  to: string,
  from: string | null,
  body: string,
  createdAt: number,
): Record<string, unknown> {
  const date = new Date(createdAt).toUTCString().replace('GMT', '+0000');
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}`;
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body,
    date_created: date,
    date_sent: null,
    date_updated: date,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(Math.max(1, Math.ceil(body.length / 160))),
    price: null,
    price_unit: 'USD',
    sid,
    status: 'queued',
    subresource_uris: { media: `${uri}/Media.json` },
    to,
    uri: `${uri}.json`,
  };
}

/** Twilio's request signature: base64 HMAC-SHA1 of the URL, then each parameter's name and value sorted by name. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((name) => `${name}${params[name] ?? ''}`)
      .join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

async function postStatus(
  accountSid: string,
  authToken: string,
  sms: AcceptedSms,
  status: string,
  extra: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  if (!sms.statusCallback) throw new Error(`message ${sms.sid} was sent without a status callback`);
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    From: sms.from,
    MessageSid: sms.sid,
    MessageStatus: status,
    SmsSid: sms.sid,
    SmsStatus: status,
    To: sms.to,
    ...extra,
  };
  const response = await fetch(sms.statusCallback, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, sms.statusCallback, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  return { status: response.status, body: parseJsonOrText(text) };
}
