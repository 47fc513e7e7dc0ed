// The planner: a host's policies and live facts in, the rules fleet wants there and the changes
// that get it there out, with the reasons. Pure: no I/O, no clock.
import { HostError } from '../errors.js';
import type {
  Family, FilterTable, HostFacts, HostPlan, HostSpec, Policy, PolicyRule, PublishedPort,
} from '../model.js';
import { compareText } from '../order.js';
import { familyChanges, hasDockerUser, liveWarnings, tableOf } from './live.js';
import { matchRules, type Match } from './match.js';
import { restrictions, type Restriction } from './restrict.js';
import { FLEET, FLEET_INPUT, chainOf, familyOf, onLoopback, portLabel } from './spec.js';
import { via, wantedRules } from './wanted.js';

export function planHost(host: HostSpec, policies: Policy[], facts: HostFacts): HostPlan {
  if (!hasDockerUser(facts.filter4)) throw noDockerUser(host);
  const { matches, warnings } = matchRules(hostRules(host, policies), facts.ports);
  const all = restrictions(host.name, matches);
  const families = managed(facts).map(({ family, table }) => planFamily(family, table, all));
  return {
    host: host.name,
    wanted: families.flatMap((f) => f.wanted),
    changes: families.flatMap((f) => f.changes),
    warnings: [...warnings, ...unfiltered(all, facts), ...families.flatMap((f) => f.warnings)],
    notes: notes(all.filter((r) => enforced(r.port, facts)), all, matches, facts.ports),
    matched: new Set(matches.map((m) => m.port.container)).size,
  };
}

function planFamily(family: Family, table: FilterTable, all: Restriction[]) {
  const forward = hasDockerUser(table);
  const mine = all.filter((r) => familyOf(r.port) === family && enforceable(r.port, forward));
  const wanted = wantedRules(mine, family, forward);
  const changes = familyChanges(table, wanted, family);
  return { wanted, changes, warnings: liveWarnings(table, family, wanted) };
}

/** Reachable from other machines: not on loopback, and something listens or DNATs there. */
function reachable(port: PublishedPort): boolean {
  return !onLoopback(port) && port.path !== 'none';
}

/** A binding fleet can and must restrict: reachable from other machines, by a path fleet sees. */
function enforceable(port: PublishedPort, forward: boolean): boolean {
  return reachable(port) && (forward || chainOf(port) === FLEET_INPUT);
}

/** Whether fleet restricts this binding on this host: enforceable, given the host's tables. */
export function enforced(port: PublishedPort, facts: HostFacts): boolean {
  const table = tableOf(facts, familyOf(port));
  return table !== null && enforceable(port, hasDockerUser(table));
}

function noDockerUser(host: HostSpec): HostError {
  return new HostError(
    host.name,
    'plan',
    'the IPv4 filter table has no DOCKER-USER chain: Docker is not running with iptables',
    'start dockerd with its iptables rules on (the default), then plan again',
  );
}

/** The rules of the host's policies, by policy name then file order: input order never counts. */
export function hostRules(host: HostSpec, policies: Policy[]): PolicyRule[] {
  return policies
    .filter((p) => host.policies.includes(p.name))
    .sort((a, b) => compareText(a.name, b.name))
    .flatMap((p) => p.rules);
}

/** IPv4 always (planHost insists on it); IPv6 wherever the host has ip6tables. */
function managed(facts: HostFacts): { family: Family; table: FilterTable }[] {
  const v4 = facts.filter4 ? [{ family: 4 as const, table: facts.filter4 }] : [];
  const v6 = facts.filter6 ? [{ family: 6 as const, table: facts.filter6 }] : [];
  return [...v4, ...v6];
}

/** Restricted IPv6 bindings that no chain of fleet's can see on this host. */
function unfiltered(all: Restriction[], facts: HostFacts): string[] {
  const forward6 = hasDockerUser(facts.filter6);
  const missed = all.filter(
    (r) =>
      familyOf(r.port) === 6 &&
      reachable(r.port) &&
      (!facts.filter6 || (!forward6 && chainOf(r.port) === FLEET)),
  );
  const text = (r: Restriction): string =>
    facts.filter6
      ? `${portLabel(r.port)} is DNATed on IPv6 by Docker's ip6tables rules, but ip6tables has ` +
        'no DOCKER-USER chain here (Docker 20.10 makes none), so fleet cannot restrict it:' +
        ' upgrade Docker, or turn its ip6tables off so that fleet restricts docker-proxy in INPUT'
      : `${portLabel(r.port)} is published on IPv6 (${r.port.hostIp}), but ip6tables printed ` +
        'no filter table here, so fleet cannot restrict it (install iptables, which brings ip6tables)';
  return unique(missed.map(text));
}

function notes(
  enforcedOnes: Restriction[],
  all: Restriction[],
  matches: Match[],
  ports: PublishedPort[],
): string[] {
  const local = all
    .filter((r) => onLoopback(r.port))
    .map((r) => `${portLabel(r.port)}: published on ${r.port.hostIp} only, nothing to do`);
  const closed = all
    .filter((r) => r.port.path === 'none')
    .map((r) => `${portLabel(r.port)}${via(r.port)}: nothing listens for it, so it is closed already`);
  const failClosed = enforcedOnes
    .filter((r) => r.allow.length > 0)
    .filter((r) => !r.allow.some((s) => s.family === familyOf(r.port)))
    .map((r) => `${portLabel(r.port)}${via(r.port)}: closed to everyone, the policy lists only ` +
      `IPv${familyOf(r.port) === 4 ? 6 : 4} sources`);
  const open = ports
    .filter((p) => reachable(p) && !matches.some((m) => m.port === p))
    .map((p) => `${portLabel(p)}${via(p)}: no policy rule, open to everyone`);
  return unique([...local, ...closed, ...failClosed, ...open]);
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}
