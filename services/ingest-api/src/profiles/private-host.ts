import { BlockList, isIP } from 'node:net';

/**
 * Literal addresses that reach the machine itself or a private network. IPv4-mapped IPv6
 * addresses (`::ffff:10.0.0.1`) are matched against the IPv4 ranges by BlockList itself.
 */
const PRIVATE_RANGES = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  // IETF protocol assignments, benchmarking, multicast, reserved and broadcast: never a push service.
  ['192.0.0.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  // IPv4-compatible (`::127.0.0.1`), which also covers `::` and `::1`.
  ['::', 96],
  // NAT64 and 6to4 embed an IPv4 address that may be private.
  ['64:ff9b::', 96],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv6');
}

/**
 * Whether a URL's `hostname` (as the WHATWG parser canonicalises it: IPv4 in dotted form, IPv6 in
 * brackets) names loopback or a private network literally. Names that merely resolve to such an
 * address are not caught here: that needs a check when connecting.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const version = isIP(literal);
  if (version === 4) return PRIVATE_RANGES.check(literal, 'ipv4');
  if (version === 6) return PRIVATE_RANGES.check(literal, 'ipv6');
  return false;
}
