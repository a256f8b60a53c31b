import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** The `code` of the error `safeLookup` fails with when a name resolves to a refused address. */
export const PRIVATE_ADDRESS_ERROR_CODE = 'EPRIVATEADDRESS';

/**
 * Addresses a user-supplied URL must never reach: the machine itself, private networks, and
 * ranges that are never a public service. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are
 * matched against the IPv4 ranges by BlockList itself.
 */
const REFUSED_RANGES = new BlockList();
for (const [network, prefix] of [
  // "This network", including the unspecified 0.0.0.0.
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  // Carrier-grade NAT.
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  // Multicast, then reserved and broadcast.
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  REFUSED_RANGES.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  // IPv4-compatible (`::127.0.0.1`), which also covers the unspecified `::` and loopback `::1`.
  ['::', 96],
  // IPv4-translated (`::ffff:0:a.b.c.d`, RFC 2765), NAT64 (well-known and local-use) and 6to4
  // embed an IPv4 address that may be private.
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  // Unique local, link-local, site-local (deprecated), multicast.
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  REFUSED_RANGES.addSubnet(network, prefix, 'ipv6');
}

/** Whether a literal IP address is loopback, private, link-local or otherwise never public. */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return REFUSED_RANGES.check(address, 'ipv4');
  if (version === 6) return REFUSED_RANGES.check(address.replace(/%.*$/, ''), 'ipv6');
  return false;
}

/**
 * Whether a URL's `hostname` (as the WHATWG parser canonicalises it: IPv4 in dotted form, IPv6 in
 * brackets) names loopback or a private network literally. Names that merely resolve to such an
 * address are caught when connecting, by `safeLookup`.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isPrivateAddress(literal);
}

function privateAddressError(hostname: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `${hostname} resolves to a loopback, private or reserved address`,
  );
  error.code = PRIVATE_ADDRESS_ERROR_CODE;
  return error;
}

/**
 * A `dns.lookup` replacement for an http(s).Agent's `lookup` option: resolves as usual, then
 * refuses the name if any of its addresses is private. Checking at connect time, after
 * resolution, is what stops DNS rebinding (a public name answering 127.0.0.1 later on).
 *
 * Node connects to a literal IP without calling `lookup`: callers must check literal hosts
 * themselves with `isPrivateAddress`.
 */
export const safeLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      callback(error, '');
      return;
    }
    const [first] = addresses;
    if (!first) {
      callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      return;
    }
    if (addresses.some((entry) => isPrivateAddress(entry.address))) {
      callback(privateAddressError(hostname), '');
      return;
    }
    if (options.all) callback(null, addresses);
    else callback(null, first.address, first.family);
  });
};
