import { isPrivateAddress } from '@herald/channels';

/**
 * Whether a URL's `hostname` (as the WHATWG parser canonicalises it: IPv4 in dotted form, IPv6 in
 * brackets) names loopback or a private network literally. The ranges are the ones the push
 * adapter refuses when it connects (`isPrivateAddress`), which also catches names that merely
 * resolve to such an address.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isPrivateAddress(literal);
}
