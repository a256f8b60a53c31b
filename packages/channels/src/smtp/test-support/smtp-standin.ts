import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { BehaviourSwitch, pause, type StandinBehaviour } from '@herald/testing';

export interface AcceptedSmtpMail {
  from: string;
  to: string[];
  /** The message exactly as the client sent it after DATA. */
  raw: string;
  subject?: string;
  /** Every header by lower-case name, its value unfolded (RFC 5322 §2.2.3) and trimmed; the last one wins. */
  headers: Record<string, string>;
}

export interface SmtpStandin {
  /** `smtp://user:pass@127.0.0.1:port`, ready for nodemailer. */
  url: string;
  port: number;
  accepted: AcceptedSmtpMail[];
  /** `status` is the SMTP reply code the next RCPT TO commands get (e.g. 451, 550). */
  behave(behaviour: StandinBehaviour): void;
  close(): Promise<void>;
}

/** A local SMTP server that requires AUTH (PLAIN/LOGIN) and keeps every accepted message. */
export async function startSmtpStandin(
  options: { user?: string; pass?: string; port?: number } = {},
): Promise<SmtpStandin> {
  const user = options.user ?? 'herald';
  const pass = options.pass ?? 'standin-secret';
  const accepted: AcceptedSmtpMail[] = [];
  const behaviour = new BehaviourSwitch();

  const server = new SMTPServer({
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    // Plain-text AUTH on a loopback test server: TLS would only add a self-signed certificate to trust.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === pass) callback(null, { user });
      else callback(withReplyCode(new Error('Invalid username or password'), 535));
    },
    onRcptTo(_address, _session, callback) {
      const decision = behaviour.next();
      void pause(decision.latencyMs).then(() => {
        if (decision.status === undefined) callback();
        else callback(withReplyCode(new Error(replyText(decision.status)), decision.status));
      });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then(
          (parsed) => {
            const headers: Record<string, string> = {};
            for (const line of parsed.headerLines)
              headers[line.key] = unfold(line.line.slice(line.key.length + 1)).trim();
            accepted.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              raw,
              subject: parsed.subject,
              headers,
            });
            callback(null, `Accepted: queued as ${accepted.length}`);
          },
          (error: unknown) =>
            callback(withReplyCode(error instanceof Error ? error : new Error(String(error)), 554)),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client dropping its connection is routine here; unhandled, it would crash the test process.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`,
    port,
    accepted,
    behave: (next) => behaviour.behave(next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A long header is folded over several lines (a line break before white space); unfolding joins them. */
function unfold(value: string): string {
  return value.replace(/\r?\n(?=[ \t])/g, '');
}

function withReplyCode(error: Error, code: number): Error {
  return Object.assign(error, { responseCode: code });
}

function replyText(code: number): string {
  if (code === 550 || code === 553) return 'Mailbox unavailable';
  if (code === 421) return 'Service not available, closing channel';
  if (code >= 400 && code < 500) return 'Temporary failure, try again later';
  return 'Requested action not taken';
}
