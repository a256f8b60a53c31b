import net from 'node:net';
import { createTempDir, startServiceProcess, type TempDir } from '@herald/testing';
import { API_ENTRY, heraldEnv } from './support/herald-processes';

describe('the ingest API process when it cannot listen', () => {
  let dir: TempDir;
  let other: net.Server;
  beforeEach(async () => {
    dir = createTempDir('api-listen');
    other = net.createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await new Promise((resolve) => other.close(resolve));
    dir.remove();
  });

  it('exits non-zero with a fatal line naming host:port when the port is taken', async () => {
    const address = other.address();
    if (!address || typeof address !== 'object') throw new Error('no port assigned');
    const env = await heraldEnv('api-listen', dir.path, {
      API_HOST: '127.0.0.1',
      API_PORT: String(address.port),
    });
    const api = startServiceProcess(API_ENTRY, env, process.env);
    const timer = setTimeout(() => api.child.kill('SIGKILL'), 15_000);
    const code = await api.exited;
    clearTimeout(timer);
    expect({ code, output: api.output() }).toEqual({ code: 1, output: expect.any(String) });
    expect(api.logs()).toContainEqual(
      expect.objectContaining({
        level: 'fatal',
        msg: `cannot listen on 127.0.0.1:${address.port}`,
        err: expect.objectContaining({ code: 'EADDRINUSE' }),
      }),
    );
    expect(api.logs().some((line) => line.msg === 'ingest-api listening')).toBe(false);
  });
});
