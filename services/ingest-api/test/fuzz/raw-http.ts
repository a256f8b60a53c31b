import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** An answer as received, with how long it took. */
export interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
  ms: number;
}

/** A request sent byte for byte: no client rewrites the path, the headers or the body. */
export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/**
 * The app listening on loopback, with a plain `node:http` client: supertest's client would set a
 * content type of its own, encode the path and refuse some bodies, which the fuzz must send as is.
 */
export class RawHttpClient {
  private constructor(
    private readonly server: http.Server,
    private readonly agent: http.Agent,
    private readonly port: number,
  ) {}

  static async listen(app: Express): Promise<RawHttpClient> {
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new RawHttpClient(
      server,
      new http.Agent({ keepAlive: true }),
      (server.address() as AddressInfo).port,
    );
  }

  send(request: RawRequest, timeoutMs: number): Promise<RawAnswer> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      let answer: RawAnswer | undefined;
      const outgoing = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          agent: this.agent,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, 'content-length': String(request.body?.length ?? 0) },
          timeout: timeoutMs,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          answer = {
            status: incoming.statusCode ?? 0,
            contentType: incoming.headers['content-type'] ?? '',
            body: '',
            ms: performance.now() - started,
          };
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () =>
            resolve({ ...(answer as RawAnswer), body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      // A server that answers before reading a large body closes the connection under the
      // client's writes: the answer it sent is what counts.
      outgoing.on('error', (error) => (answer ? resolve(answer) : reject(error)));
      outgoing.end(request.body);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
