// The planner: a host's policies and live facts in, the rules fleet wants there and the changes
// that get it there out, with the reasons. Pure: no I/O, no clock.
import { HostError } from '../errors.js';
import type {
  Family, FilterTable, HostFacts, HostPlan, HostSpec, Policy, PolicyRule, PublishedPort,
} from '../model.js';
import { compareText } from '../order.js';
import { familyChanges, hasDockerUser, liveWarnings } from './live.js';
import { matchRules, type Match } from './match.js';
import { restrictions, type Restriction } from './restrict.js';
import { familyOf, onLoopback, portLabel } from './spec.js';
import { wantedRules } from './wanted.js';

export function planHost(host: HostSpec, policies: Policy[], facts: HostFacts): HostPlan {
  if (!hasDockerUser(facts.filter4)) throw noDockerUser(host);
  const { matches, warnings } = matchRules(hostRules(host, policies), facts.ports);
  const all = restrictions(host.name, matches);
  const families = managed(facts).map(({ family, table }) => planFamily(family, table, all));
  return {
    host: host.name,
    wanted: families.flatMap((f) => f.wanted),
    changes: families.flatMap((f) => f.changes),
    warnings: [
      ...warnings,
      ...unfiltered(all, families.length === 2),
      ...families.flatMap((f) => f.warnings),
    ],
    notes: notes(all, matches, facts.ports),
    matched: new Set(matches.map((m) => m.port.container)).size,
  };
}

function planFamily(family: Family, table: FilterTable, all: Restriction[]) {
  const mine = all.filter((r) => familyOf(r.port) === family && !onLoopback(r.port));
  const wanted = wantedRules(mine, family);
  const changes = familyChanges(table, wanted, family);
  return { wanted, changes, warnings: liveWarnings(table, family) };
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

/** IPv4 always (planHost insists on it); IPv6 where ip6tables has Docker's chain. */
function managed(facts: HostFacts): { family: Family; table: FilterTable }[] {
  const v4 = facts.filter4 ? [{ family: 4 as const, table: facts.filter4 }] : [];
  const v6 = hasDockerUser(facts.filter6) ? [{ family: 6 as const, table: facts.filter6 }] : [];
  return [...v4, ...v6];
}

/** Ports on IPv6 that a policy restricts, on a host where fleet cannot reach IPv6 traffic. */
function unfiltered(all: Restriction[], ipv6Managed: boolean): string[] {
  if (ipv6Managed) return [];
  const missed = all.filter((r) => familyOf(r.port) === 6 && !onLoopback(r.port));
  const text = (r: Restriction): string =>
    `${portLabel(r.port)} is published on IPv6 (${r.port.hostIp}) too, and ip6tables has no ` +
    'DOCKER-USER chain here, so fleet cannot restrict it:' +
    ' IPv6 clients reach it through docker-proxy';
  return unique(missed.map(text));
}

function notes(all: Restriction[], matches: Match[], ports: PublishedPort[]): string[] {
  const local = all
    .filter((r) => onLoopback(r.port))
    .map((r) => `${portLabel(r.port)}: published on ${r.port.hostIp} only, nothing to do`);
  const open = ports
    .filter((p) => !onLoopback(p) && !matches.some((m) => m.port === p))
    .map((p) => `${portLabel(p)}: no policy rule, open to everyone`);
  return unique([...local, ...open]);
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}
