import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCertificate } from '@herald/testing';

export interface ReceivedCall {
  headers: Record<string, string>;
  body: string;
  /** The status the receiver answered. */
  status: number;
}

/** A customer's webhook endpoint: HTTPS on 127.0.0.1 with a self-signed certificate made at start. */
export interface WebhookReceiver {
  /** `https://127.0.0.1:<port>/hooks`. */
  url: string;
  /** PEM of the certificate, which the worker must trust (tests only). */
  ca: string;
  received: ReceivedCall[];
  /**
   * How the next calls are answered: `statuses` in turn, then 204 again. `onCall` runs before a
   * call is answered (a test moves its clock there).
   */
  answer(statuses: number[], onCall?: (call: Omit<ReceivedCall, 'status'>) => void): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const tls = selfSignedCertificate('webhook-receiver');
  const received: ReceivedCall[] = [];
  let statuses: number[] = [];
  let onCall: ((call: Omit<ReceivedCall, 'status'>) => void) | undefined;
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(',') : (value ?? ''),
        ]),
      );
      const call = { headers, body: Buffer.concat(chunks).toString('utf8') };
      onCall?.(call);
      const status = statuses.shift() ?? 204;
      received.push({ ...call, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/hooks`,
    ca: tls.cert,
    received,
    answer: (next, hook) => {
      statuses = [...next];
      onCall = hook;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
