// `fleet status`: per host, each published port, the policy on it, who may reach it and how many
// packets fleet refused there; and whether the rules will survive a reboot.
import Table from 'cli-table3';
import type { FilterTable, HostFacts, Policy, PublishedPort } from '../model.js';
import { parseFilterTable } from '../facts/iptables.js';
import { compareText } from '../order.js';
import { enforced, hostRules } from '../plan/plan.js';
import { tableOf } from '../plan/live.js';
import { matchRules } from '../plan/match.js';
import { restrictions, type Restriction } from '../plan/restrict.js';
import { chainOf, familyOf, onLoopback, rejectSpec } from '../plan/spec.js';
import { fleetPartOfTable } from '../remote/fleet-part.js';
import type { HostResult } from '../run/fleet.js';
import { INSTALL_PERSISTENCE } from '../run/preflight.js';
import { byName, type Colors } from './text.js';

export function renderStatus(results: HostResult[], policies: Policy[], c: Colors): string {
  return byName(results)
    .map((r) => hostStatus(r, policies, c))
    .join('\n');
}

function hostStatus(result: HostResult, policies: Policy[], c: Colors): string {
  const { host, facts, error } = result;
  const head = c.bold(`${host.name} (${host.address})`);
  if (error || !facts) return `${head}\n  ${c.red(`error: ${error?.message ?? 'no facts'}`)}\n`;
  const found = restrictions(host.name, matchRules(hostRules(host, policies), facts.ports).matches);
  const table = new Table({
    head: ['container', 'published', 'path', 'policy', 'may connect', 'refused packets'],
    style: { head: [], border: [] },
  });
  for (const port of sortPorts(facts.ports)) table.push(portRow(port, found, facts));
  return `${head}\n${persistenceLine(facts)}\n${table.toString()}\n`;
}

function portRow(port: PublishedPort, found: Restriction[], facts: HostFacts): string[] {
  const published = `${port.hostIp}:${port.hostPort}->${port.containerPort}/${port.protocol}`;
  const start = [port.container, published, PATH_NAMES[port.path ?? 'dnat']];
  const restriction = found.find((r) => r.port === port);
  if (onLoopback(port)) return [...start, '-', 'this host only', '-'];
  if (port.path === 'none') return [...start, '-', 'nobody: nothing listens', '-'];
  if (!restriction) return [...start, '-', 'everyone', '-'];
  const policy = [...new Set(restriction.rules.map((r) => r.policy))].join(', ');
  const mine = restriction.allow.filter((s) => s.family === familyOf(port));
  const who = mine.map((s) => s.cidr).join(', ') || 'nobody';
  if (!enforced(port, facts)) return [...start, policy, 'everyone (fleet cannot filter it)', '-'];
  return [...start, policy, who, refused(facts, port)];
}

const PATH_NAMES = { dnat: 'DNAT', proxy: 'docker-proxy', none: 'none' } as const;

/** The packet counter of the port's REJECT rule, or `not applied` when the rule is not live. */
function refused(facts: HostFacts, port: PublishedPort): string {
  const spec = rejectSpec(port);
  const rule = tableOf(facts, familyOf(port))?.rules.find((r) => r.chain === chainOf(port) && r.spec === spec);
  if (!rule) return 'not applied';
  return rule.packets === undefined ? '?' : String(rule.packets);
}

function persistenceLine(facts: HostFacts): string {
  const { installed, enabledAtBoot, savedV4, savedV6 } = facts.persistence;
  if (!installed) return `  netfilter-persistent: not installed (${INSTALL_PERSISTENCE})`;
  const boot = enabledAtBoot ? 'enabled at boot' : 'NOT enabled at boot';
  return `  netfilter-persistent: installed, ${boot}; saved rules: ${savedState(facts.filter4, savedV4)} (IPv4), ${savedState(facts.filter6, savedV6)} (IPv6)`;
}

function savedState(live: FilterTable | null, saved: string | undefined): string {
  const liveText = fleetPartOfTable(live);
  if (saved === undefined) return liveText === '' ? 'none, none needed' : 'none saved';
  return fleetPartOfTable(parseFilterTable(saved)) === liveText ? 'match the live rules' : 'differ from the live rules';
}

function sortPorts(ports: PublishedPort[]): PublishedPort[] {
  return [...ports].sort(
    (a, b) =>
      compareText(a.container, b.container) ||
      a.hostPort - b.hostPort ||
      compareText(a.hostIp, b.hostIp),
  );
}
