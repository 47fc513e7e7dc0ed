// Addresses and networks from policy files, to the exact form iptables-save prints after `-s`.
import ipaddr from 'ipaddr.js';
import type { Parsed } from '../config/report.js';
import type { Source } from '../model.js';

const fail = (problem: string, fix: string): Parsed<never> => ({ ok: false, problem, fix });

/**
 * `198.18.0.10` → `198.18.0.10/32`, `FD00::1` → `fd00::1/128`, `10.0.0.0/8` as is. A network
 * with host bits set (`10.0.0.5/8`) is rejected, not rounded down: it is more often a typo for one
 * address than a wish for the whole network.
 */
export function parseSource(text: string): Parsed<Source> {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const parsed = parseAddress(address, text);
  if (!parsed.ok) return parsed;
  const family = parsed.value.kind() === 'ipv4' ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  if (slash < 0) return sourceOf(parsed.value, bits);
  const prefix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) {
    return fail(
      `\`${text}\`: \`/${prefix}\` is not a prefix length for IPv${family}`,
      `use /0 to /${bits}`,
    );
  }
  return networkOf(parsed.value, Number(prefix), text);
}

function parseAddress(address: string, text: string): Parsed<ipaddr.IPv4 | ipaddr.IPv6> {
  if (address.includes(':')) return parseV6(address, text);
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) {
    return fail(
      `\`${text}\` is not an IPv4 address`,
      'write four numbers from 0 to 255, like 192.168.1.20',
    );
  }
  return { ok: true, value: ipaddr.IPv4.parse(address) };
}

function parseV6(address: string, text: string): Parsed<ipaddr.IPv6> {
  if (address.includes('%') || !ipaddr.IPv6.isValid(address)) {
    return fail(
      `\`${text}\` is not an IPv6 address`,
      'write it like fd00::10 or 2001:db8::/64, without a %zone',
    );
  }
  const value = ipaddr.IPv6.parse(address);
  if (value.isIPv4MappedAddress()) {
    return fail(
      `\`${text}\` is an IPv4 address written as IPv6`,
      `write ${value.toIPv4Address().toString()}`,
    );
  }
  return { ok: true, value };
}

function networkOf(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  prefix: number,
  text: string,
): Parsed<Source> {
  const cidr = `${address.toString()}/${prefix}`;
  const network = address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
    : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  if (network.toString() === address.toString()) return sourceOf(address, prefix);
  const one = address.kind() === 'ipv4' ? 32 : 128;
  return fail(
    `\`${text}\` has host bits set`,
    `did you mean the network \`${printed(network)}/${prefix}\`,` +
      ` or the one address \`${printed(address)}/${one}\`?`,
  );
}

function sourceOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): Parsed<Source> {
  const family = address.kind() === 'ipv4' ? 4 : 6;
  return { ok: true, value: { cidr: `${printed(address)}/${prefix}`, family } };
}

/** An address as iptables prints it (IPv6: lower case, longest run of zeros compressed). */
export function printed(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv4') return address.toString();
  return (address as ipaddr.IPv6).toRFC5952String();
}

/** Whether `text` is meant as an address or network rather than a source name. */
export function looksLikeAddress(text: string): boolean {
  return /^[\d.]+$/.test(text) || text.includes(':') || text.includes('/');
}

/** IPv4 before IPv6, then by address, then wider networks first. */
function compareSources(a: Source, b: Source): number {
  if (a.family !== b.family) return a.family - b.family;
  const [addrA = '', lenA = '0'] = a.cidr.split('/');
  const [addrB = '', lenB = '0'] = b.cidr.split('/');
  const bytesA = ipaddr.parse(addrA).toByteArray();
  const bytesB = ipaddr.parse(addrB).toByteArray();
  for (let i = 0; i < bytesA.length; i++) {
    const d = (bytesA[i] ?? 0) - (bytesB[i] ?? 0);
    if (d !== 0) return d;
  }
  return Number(lenA) - Number(lenB);
}

/** Sorted with compareSources, each network once. */
export function sortSources(sources: Source[]): Source[] {
  const unique = new Map(sources.map((s) => [s.cidr, s]));
  return [...unique.values()].sort(compareSources);
}

/** A sorted allow list as one string, to tell whether two rules allow the same sources. */
export function sourcesKey(sources: Source[]): string {
  return sources.map((s) => s.cidr).join(' ');
}
