import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Requests larger than this are refused: a stand-in has no reason to buffer more. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface RunningHttpServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on loopback with keep-alive held longer than any client's idle timeout. */
export async function listenOnLoopback(handler: http.RequestListener, port = 0): Promise<RunningHttpServer> {
  const server = http.createServer(handler);
  // Longer than the clients' idle-socket lifetime, so a reused socket is never closed under a request.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The whole request body as text; rejects bodies over 5 MiB. */
export function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

/** Answers with a JSON body (or none for `undefined`) and optional extra headers. */
export function respond(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    response.writeHead(status, { ...headers, 'Content-Length': '0' });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** A body as JSON when it is JSON, else as the text it is. */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
