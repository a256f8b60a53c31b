import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { accessLog } from './access-log';
import { correlation } from './correlation';

function capturingLogger(level: string): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

async function getOnce(logger: pino.Logger, path: string): Promise<number> {
  const app = express();
  app.use(correlation());
  app.use(accessLog(logger));
  app.get('/thing', (_req, res) => {
    res.json({ ok: true });
  });
  const server = app.listen(0);
  try {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    await response.text();
    return response.status;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('access log', () => {
  test('writes one line per answered request at level info, without the query string', async () => {
    const { logger, lines } = capturingLogger('info');
    expect(await getOnce(logger, '/thing?secret=1')).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.req).toMatchObject({ method: 'GET', url: '/thing' });
  });

  test('is left out above level info, so requests pass through and nothing is written', async () => {
    const { logger, lines } = capturingLogger('warn');
    expect(await getOnce(logger, '/thing')).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
  });
});
