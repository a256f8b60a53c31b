import { once } from 'node:events';
import net from 'node:net';
import { startApiProcesses, type ApiProcesses } from '../../../test/support/herald-processes';

describe('idle keep-alive connections of an API process', () => {
  let apis: ApiProcesses;

  beforeAll(async () => {
    apis = await startApiProcesses('keep-alive', { API_KEEP_ALIVE_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => apis.close());

  it('closes an idle keep-alive connection after API_KEEP_ALIVE_TIMEOUT_MS, not after node’s own 5 s', async () => {
    const socket = net.connect(apis.ports[0], '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /im/health HTTP/1.1\r\nHost: herald\r\nConnection: keep-alive\r\n\r\n');
    const [answer] = (await once(socket, 'data')) as [Buffer];
    const answeredAt = Date.now();
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.toString('latin1')).toMatch(/\r\nConnection: keep-alive\r\n/i);
    const closed = once(socket, 'close');
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the idle connection was still open after 8 s')), 8000).unref(),
    );
    await Promise.race([closed, timeout]);
    const idleMs = Date.now() - answeredAt;
    expect(idleMs).toBeGreaterThanOrEqual(900);
    expect(idleMs).toBeLessThan(4000);
  });
});
