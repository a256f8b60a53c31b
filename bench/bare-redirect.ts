import type { Server } from 'node:http';
import express from 'express';

export interface BareRedirectOptions {
  port: number;
  /** Where every click goes. */
  location: string;
}

/** The transparent 1×1 GIF the tracker answers opens with. */
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * The ceiling the tracker is measured against: express answering the same paths with the same
 * answers (a 302 with the same headers, the same GIF) and nothing else: no token check, no event,
 * no store.
 */
export async function startBareRedirect(options: BareRedirectOptions): Promise<{ close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  app.get('/c/:token', (_req, res) => {
    res
      .status(302)
      .set({ Location: options.location, 'Cache-Control': 'no-store, private, max-age=0' })
      .end();
  });
  app.get('/o/:token', (_req, res) => {
    res.set({ 'Content-Type': 'image/gif', 'Cache-Control': 'no-store, private, max-age=0' }).end(PIXEL_GIF);
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(options.port, '127.0.0.1', () => resolve(listening));
  });
  return {
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

/** Run as a child process: options as JSON in argv[2]; stops on SIGTERM. */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as BareRedirectOptions;
  const server = await startBareRedirect(options);
  process.once('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
}

if (require.main === module) void main();
