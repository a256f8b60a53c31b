import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isPrivateAddress, PRIVATE_ADDRESS_ERROR_CODE, safeLookup } from './safe-lookup';

function lookup(hostname: string, options: LookupOptions = {}): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) => {
    safeLookup(hostname, options, (error, address) => (error ? reject(error) : resolve(address)));
  });
}

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '::ffff:0:7f00:1',
    '64:ff9b:1::a00:1',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'accepts the public address %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it('does not treat a host name as an address', () => {
    expect(isPrivateAddress('push.example.com')).toBe(false);
  });
});

describe('safeLookup', () => {
  it.each(['127.0.0.1', '10.0.0.8', '::1', '::ffff:192.168.0.1', 'localhost'])(
    'refuses %s with EPRIVATEADDRESS',
    async (hostname) => {
      await expect(lookup(hostname)).rejects.toMatchObject({ code: PRIVATE_ADDRESS_ERROR_CODE });
    },
  );

  it('resolves a public address in the shape dns.lookup gives', async () => {
    await expect(lookup('8.8.8.8')).resolves.toBe('8.8.8.8');
    await expect(lookup('8.8.8.8', { all: true })).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it('stops an agent from connecting to a name that resolves to loopback', async () => {
    const server = http.createServer((_request, response) => response.end('reached'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ lookup: safeLookup });
    try {
      const request = new Promise<number | undefined>((resolve, reject) => {
        http
          .get({ host: 'localhost', port, agent }, (response) => {
            response.resume();
            resolve(response.statusCode);
          })
          .on('error', reject);
      });
      await expect(request).rejects.toMatchObject({ code: PRIVATE_ADDRESS_ERROR_CODE });
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
