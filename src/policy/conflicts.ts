// Two rules that restrict the same port of one host with different allow lists: fleet cannot know
// which one is meant, so it is an error naming both places. Rules alike in target and allow list
// are one rule written twice, and are no conflict.
import { UserError } from '../errors.js';
import type { HostSpec, Policy, PolicyRule, Target } from '../model.js';
import { sourcesKey } from './source.js';

interface Clash {
  first: PolicyRule;
  second: PolicyRule;
  secondIndex: number;
  hosts: string[];
}

/** Conflicts between the rules of each host's policies (policies not listed are skipped). */
export function findConflicts(hosts: HostSpec[], policies: Policy[]): UserError[] {
  const clashes = new Map<string, Clash>();
  for (const host of hosts) {
    const mine = policies.filter((p) => host.policies.includes(p.name));
    for (const clash of hostClashes(mine)) addClash(clashes, clash, host.name);
  }
  return [...clashes.values()].map(clashError);
}

function hostClashes(policies: Policy[]): Omit<Clash, 'hosts'>[] {
  const first = new Map<string, PolicyRule>();
  const found: Omit<Clash, 'hosts'>[] = [];
  for (const policy of policies) {
    policy.rules.forEach((rule, index) => {
      const key = targetLabel(rule.target);
      const seen = first.get(key);
      if (!seen) first.set(key, rule);
      else if (sourcesKey(seen.allow) !== sourcesKey(rule.allow)) {
        found.push({ first: seen, second: rule, secondIndex: index });
      }
    });
  }
  return found;
}

function addClash(clashes: Map<string, Clash>, clash: Omit<Clash, 'hosts'>, host: string): void {
  const key = `${at(clash.first)} ${at(clash.second)}`;
  const known = clashes.get(key);
  if (known) known.hosts.push(host);
  else clashes.set(key, { ...clash, hosts: [host] });
}

function clashError(clash: Clash): UserError {
  const hosts = `${clash.hosts.length > 1 ? 'hosts' : 'host'} ${clash.hosts.join(', ')}`;
  const other = `policy \`${clash.first.policy}\` (${at(clash.first)})`;
  return new UserError(
    clash.second.where,
    `rules[${clash.secondIndex}]`,
    `${targetLabel(clash.second.target)} on ${hosts} gets another allow list from ${other}`,
    'a port has one allow list per host: make the two lists equal, or keep one rule',
  );
}

/** `nginx1 80/tcp`, `nginx1 (its one published tcp port)`, `host port 9000/udp`. */
export function targetLabel(target: Target): string {
  if (target.kind === 'hostPort') return `host port ${target.hostPort}/${target.protocol}`;
  if (target.port === undefined) {
    return `${target.container} (its one published ${target.protocol} port)`;
  }
  return `${target.container} ${target.port}/${target.protocol}`;
}

function at(rule: PolicyRule): string {
  return `${rule.where.file}:${rule.where.line}:${rule.where.col}`;
}
