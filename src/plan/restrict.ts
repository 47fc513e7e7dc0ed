// The matches of a host grouped per published port: one allow list each. Two rules giving one port
// different allow lists is a conflict; alike ones are one rule written twice.
import { HostError } from '../errors.js';
import type { PolicyRule, PublishedPort, Source } from '../model.js';
import { compareText } from '../order.js';
import { sourcesKey } from '../policy/source.js';
import { origin, type Match } from './match.js';
import { portLabel } from './spec.js';

export interface Restriction {
  port: PublishedPort;
  /** Sorted and unique. */
  allow: Source[];
  /** The rules that asked for it, one or more with the same allow list. */
  rules: PolicyRule[];
}

/** One restriction per published port, sorted by protocol, host port, then host address. */
export function restrictions(host: string, matches: Match[]): Restriction[] {
  const byPort = new Map<string, Restriction>();
  for (const { rule, port } of matches) {
    const key = `${port.protocol} ${port.hostIp} ${port.hostPort}`;
    const { allow } = rule; // sorted and unique already, as PolicyRule says
    const known = byPort.get(key);
    if (!known) byPort.set(key, { port, allow, rules: [rule] });
    else if (sourcesKey(known.allow) !== sourcesKey(allow)) throw conflict(host, known, rule);
    else if (!known.rules.includes(rule)) known.rules.push(rule);
  }
  return [...byPort.values()].sort((a, b) => comparePorts(a.port, b.port));
}

function comparePorts(a: PublishedPort, b: PublishedPort): number {
  return (
    compareText(a.protocol, b.protocol) ||
    a.hostPort - b.hostPort ||
    compareText(a.hostIp, b.hostIp)
  );
}

function conflict(host: string, known: Restriction, rule: PolicyRule): HostError {
  const first = known.rules[0];
  return new HostError(
    host,
    'plan',
    `${portLabel(known.port)} gets two allow lists:` +
      ` from ${first ? origin(first) : '?'} and ${origin(rule)}`,
    'a port has one allow list per host: make the two lists equal, or keep one rule',
  );
}
