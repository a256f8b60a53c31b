import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import {
  assertEmailExtraHeadersSafe,
  assertEmailHeadersSafe,
  type Channel,
  type EmailMessage,
  type OutboundMessage,
} from '@herald/contracts';
import { ConfigError, PermanentDeliveryError, TransientDeliveryError } from '@herald/errors';
import type { ChannelAdapter, SendResult } from '../channel-adapter';
import { errorForNetworkFailure, isNetworkFailure } from '../provider-errors';

const PROVIDER = 'smtp';
const DEFAULT_TIMEOUT_MS = 15_000;
/** Delivery ids that can stand as the local part of a Message-ID as they are. */
const MESSAGE_ID_SAFE = /^[A-Za-z0-9._-]{1,200}$/;
/** nodemailer's codes for a connection that failed or was lost (no SMTP reply involved). */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL']);
/** SMTP replies that refuse the credentials rather than the message. */
const AUTH_REPLY_CODES = new Set([530, 534, 535, 538]);

export interface SmtpAdapterOptions {
  /** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  url: string;
  /** Connection, greeting and socket idle timeout. */
  timeoutMs?: number;
  /** Reuse connections across messages (default true). */
  pool?: boolean;
}

/** nodemailer's error: `responseCode` is set when the server answered, `code` when it did not. */
interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

type SentInfo = SMTPPool.SentMessageInfo | SMTPTransport.SentMessageInfo;

/** E-mail over SMTP with nodemailer, through a pool of kept-open connections. */
export class SmtpAdapter implements ChannelAdapter {
  readonly name = PROVIDER;
  readonly channels: readonly Channel[] = ['email'];
  private readonly transport: Transporter<SentInfo>;

  constructor(options: SmtpAdapterOptions) {
    this.transport = nodemailer.createTransport(transportOptions(options)) as Transporter<SentInfo>;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (message.channel !== 'email') {
      throw new PermanentDeliveryError('channel-not-supported', `${PROVIDER} sends e-mail only`);
    }
    assertEmailHeadersSafe(message);
    assertEmailExtraHeadersSafe(message.headers);
    let info: SentInfo;
    try {
      info = await this.transport.sendMail({
        from: message.from.name
          ? { name: message.from.name, address: message.from.address }
          : message.from.address,
        to: message.to,
        replyTo: message.replyTo,
        subject: message.subject,
        html: message.html,
        text: message.text,
        messageId: messageIdFor(message),
        headers: {
          ...message.headers,
          'X-Herald-Execution-Id': message.executionId,
          'X-Herald-Delivery-Id': message.deliveryId,
        },
      });
    } catch (error) {
      throw classifySmtpError(error);
    }
    if (info.rejected.length > 0) {
      throw new PermanentDeliveryError('provider-rejected', `${PROVIDER} server rejected the recipient`);
    }
    return { providerMessageId: info.messageId.replace(/^<|>$/g, '') };
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

function transportOptions(options: SmtpAdapterOptions): SMTPPool.Options | SMTPTransport.Options {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigError('SMTP url is not a URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError('SMTP url must start with smtp:// or smtps://');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const common: SMTPTransport.Options = {
    host: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    secure: url.protocol === 'smtps:',
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
  if (options.pool === false) return common;
  return {
    ...common,
    pool: true,
    maxMessages: 1000,
    // A connection lost mid-message may already have delivered it: the job decides about the retry, not the pool.
    maxRequeues: 0,
  } as SMTPPool.Options;
}

/**
 * The same Message-ID for every attempt of one delivery, so a re-send after a crash can be
 * recognised as a duplicate downstream; in the sender's domain, as RFC 5322 recommends.
 */
function messageIdFor(message: EmailMessage): string | undefined {
  if (!MESSAGE_ID_SAFE.test(message.deliveryId)) return undefined;
  const domain = message.from.address.split('@')[1];
  return domain && /^[A-Za-z0-9.-]+$/.test(domain) ? `<${message.deliveryId}@${domain}>` : undefined;
}

/**
 * 4xx replies are "try again later", 5xx "never as it stands" (RFC 5321 §4.2.1). Server
 * replies can quote the recipient, so only the reply code, its enhanced status and the
 * command go into the error message.
 */
function classifySmtpError(error: unknown): TransientDeliveryError | PermanentDeliveryError {
  const smtp = (typeof error === 'object' && error !== null ? error : {}) as SmtpError;
  const reply = smtp.responseCode;
  if (reply !== undefined && reply >= 400 && reply < 600) {
    const detail = describeReply(smtp);
    if (reply < 500) {
      return new TransientDeliveryError(
        'provider-unavailable',
        `${PROVIDER} server deferred the message: ${detail}`,
      );
    }
    if (AUTH_REPLY_CODES.has(reply)) {
      return new PermanentDeliveryError(
        'provider-auth-failed',
        `${PROVIDER} server refused the credentials: ${detail}`,
      );
    }
    return new PermanentDeliveryError(
      'provider-rejected',
      `${PROVIDER} server rejected the message: ${detail}`,
    );
  }
  if (smtp.code === 'EAUTH') {
    return new PermanentDeliveryError('provider-auth-failed', `${PROVIDER} authentication failed`);
  }
  if (smtp.code === 'EENVELOPE' || smtp.code === 'EMESSAGE') {
    return new PermanentDeliveryError('provider-rejected', `${PROVIDER} refused the message (${smtp.code})`);
  }
  if ((smtp.code !== undefined && CONNECTION_CODES.has(smtp.code)) || isNetworkFailure(error)) {
    return errorForNetworkFailure(PROVIDER, error);
  }
  return new TransientDeliveryError(
    'provider-unavailable',
    `${PROVIDER} send failed (${smtp.code ?? 'unknown'})`,
  );
}

function describeReply(error: SmtpError): string {
  const enhanced = /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})/.exec(error.response ?? '')?.[1];
  // nodemailer's `command` is the verb only ('RCPT TO', 'DATA'), never its arguments.
  const command = error.command ? ` at ${error.command}` : '';
  return `${error.responseCode}${enhanced ? ` ${enhanced}` : ''}${command}`;
}
