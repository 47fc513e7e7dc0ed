// Which way packets from other machines reach each IPv6 binding. With Docker's ip6tables support
// on, Docker DNATs them like IPv4 (a DNAT rule in ip6tables' nat table); with it off (the default
// before Docker 27) docker-proxy, a process on the host, listens on the port, so the packets cross
// the host's INPUT chain and never DOCKER-USER. Pure.
import type { Protocol, PublishedPort } from '../model.js';

export interface Listener {
  protocol: Protocol;
  /** As ss prints it, brackets and any `%interface` removed: `0.0.0.0`, `::`, `*`, `198.18.1.1`. */
  address: string;
  port: number;
}

/**
 * Lines of `ss -Hn -t state listening` (or `-u state unconnected`): with one protocol and one
 * state, ss prints no Netid or State column, so a line is `0 4096 [::]:8080 [::]:*`.
 */
export function parseListeners(text: string, protocol: Protocol): Listener[] {
  return text.split('\n').flatMap((line) => {
    const local = line.trim().split(/\s+/)[2];
    const at = local?.lastIndexOf(':') ?? -1;
    if (!local || at < 0) return [];
    const address = local.slice(0, at).replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
    const port = Number(local.slice(at + 1));
    return Number.isInteger(port) ? [{ protocol, address, port }] : [];
  });
}

export interface Dnat {
  protocol: Protocol;
  port: number;
  /** The one host address the rule is for (`-d`), or undefined for every address. */
  address?: string;
}

/** DNAT rules in Docker's nat chain, from `ip6tables-save -t nat` (or iptables-save). */
export function parseDnats(text: string): Dnat[] {
  return text.split('\n').flatMap((line) => {
    if (!/^-A DOCKER .*-j DNAT /.test(line)) return [];
    const protocol = /(?:^| )-p (tcp|udp)(?: |$)/.exec(line)?.[1] as Protocol | undefined;
    const port = /--dport (\d+)/.exec(line)?.[1];
    if (!protocol || !port) return [];
    const address = /(?:^| )-d ([0-9a-fA-F:.]+)\/(?:128|32)(?: |$)/.exec(line)?.[1];
    return [{ protocol, port: Number(port), ...(address ? { address } : {}) }];
  });
}

/** Sets `path` on every IPv6 binding; IPv4 bindings are left as DNAT. */
export function withPaths(ports: PublishedPort[], listeners: Listener[], dnats: Dnat[]): PublishedPort[] {
  return ports.map((port) => (port.hostIp.includes(':') ? { ...port, path: ipv6Path(port, listeners, dnats) } : port));
}

function ipv6Path(port: PublishedPort, listeners: Listener[], dnats: Dnat[]): 'dnat' | 'proxy' | 'none' {
  const same = (p: { protocol: Protocol; port: number }) => p.protocol === port.protocol && p.port === port.hostPort;
  const anyAddress = port.hostIp === '::';
  if (dnats.some((d) => same(d) && (anyAddress || !d.address || d.address === port.hostIp))) return 'dnat';
  // Docker published this address and port, so whatever listens there is its docker-proxy. The
  // facts script asks ss without -p: naming the process costs a scan of every open file.
  const here = (l: Listener) => l.address === port.hostIp || l.address === '::' || l.address === '*';
  return listeners.some((l) => same(l) && here(l)) ? 'proxy' : 'none';
}
