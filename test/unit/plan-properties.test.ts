import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Family, HostFacts, HostPlan, Policy, PublishedPort, Rule } from '../../src/model.js';
import { planHost, renderRestore } from '../../src/plan/index.js';
import { facts, host, labFacts, policy, table } from './helpers/facts.js';
import { simulateRestore } from './helpers/restore-sim.js';

// Properties of the planner, checked on many plans made by a seeded generator over the ports of
// the captured lab host (so every run checks the same plans).

const SOURCES = ['198.18.0.10', '198.18.0.0/24', '10.0.0.0/8', '192.168.1.24', 'fd00::1', 'fd00:1::/64', '0.0.0.0/0'];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The lab's ports, with IPv6 managed or not, and every container port on some IPv6 address too. */
function world(ipv6: boolean): HostFacts {
  const lab = labFacts();
  if (!ipv6) return lab;
  const extra: PublishedPort = { container: 'host-addr', containerPort: 80, protocol: 'tcp', hostIp: 'fd5e::1:1', hostPort: 8090 };
  return { ...lab, ports: [...lab.ports, extra], filter6: table(['-A FORWARD -j DOCKER-USER']) };
}

/** Up to four policies, each restricting other ports of the lab (so they never conflict). */
function policies(next: () => number, ports: PublishedPort[]): Policy[] {
  const targets = [...new Set(ports.map((p) => `${p.container} ${p.containerPort}/${p.protocol} ${p.hostPort}`))];
  const count = 1 + Math.floor(next() * 4);
  const rules: string[][] = Array.from({ length: count }, () => []);
  for (const target of targets) {
    const which = Math.floor(next() * (count + 1));
    if (which < count) rules[which]?.push(ruleYaml(target, next));
  }
  return rules.map((lines, i) => policy(`p${i}`, `rules:${lines.length ? '' : ' []'}\n${lines.join('')}`));
}

function ruleYaml(target: string, next: () => number): string {
  const [container, port, hostPort] = target.split(' ');
  const allow = SOURCES.filter(() => next() < 0.3).map((s) => JSON.stringify(s));
  // nginx1 is always named by container: the re-creation property is about following a container.
  const byPort = container !== 'nginx1' && next() < 0.3;
  const what = byPort ? `  - hostPort: ${hostPort}/${port?.split('/')[1]}\n` : `  - container: ${container}\n    port: ${port}\n`;
  return `${what}    allow: [${allow.join(', ')}]\n`;
}

interface Scenario {
  seed: number;
  facts: HostFacts;
  policies: Policy[];
}

function scenarios(): Scenario[] {
  return Array.from({ length: 60 }, (_, seed) => {
    const next = random(seed + 1);
    const live = world(seed % 2 === 1);
    // Every tenth plan has a policy with no rules, so fleet's part is just the jump.
    const none = [policy('p0', 'rules: []\n')];
    return { seed, facts: live, policies: seed % 10 === 0 ? none : policies(next, live.ports) };
  });
}

const plan = (s: { facts: HostFacts; policies: Policy[] }, names = s.policies.map((p) => p.name)) =>
  planHost(host(names), s.policies, s.facts);

/** The facts after apply: each family's restore input run through the simulator. */
function applied(before: HostFacts, planned: HostPlan): HostFacts {
  const after = { ...before };
  for (const family of [4, 6] as Family[]) {
    const input = renderRestore(planned, before, family);
    const key = family === 4 ? 'filter4' : 'filter6';
    const live = before[key];
    if (input !== null && live) after[key] = simulateRestore(live, input);
  }
  return after;
}

const fleetRules = (p: HostPlan) => p.wanted.filter((r) => r.chain === 'FLEET' || r.chain === 'FLEET-INPUT');
const specs = (rules: Rule[]) => rules.map((r) => `${r.family} ${r.spec}`);

describe('planner properties', () => {
  it.each(scenarios())('seed $seed: planning against the state the plan produces gives an empty plan', (s) => {
    const first = plan(s);
    const again = plan({ ...s, facts: applied(s.facts, first) });
    expect(again.changes).toEqual([]);
    expect(again.wanted).toEqual(first.wanted);
    expect([renderRestore(again, applied(s.facts, first), 4), renderRestore(again, applied(s.facts, first), 6)]).toEqual([null, null]);
  });

  it.each(scenarios())('seed $seed: going from one plan to another also ends in sync', (s) => {
    const other = scenarios()[(s.seed + 7) % 60]!;
    const start = applied(s.facts, plan(s));
    const moved = plan({ facts: start, policies: other.policies });
    expect(plan({ facts: applied(start, moved), policies: other.policies }).changes).toEqual([]);
  });

  it.each(scenarios())('seed $seed: policies listed in another order give the same plan', (s) => {
    const reversed = [...s.policies].reverse();
    const shuffled = plan({ ...s, policies: reversed }, reversed.map((p) => p.name));
    expect(shuffled).toEqual(plan(s));
  });

  it.each(scenarios())('seed $seed: removing a policy removes exactly its rules', (s) => {
    const gone = s.policies[0]!;
    const rest = s.policies.slice(1);
    const without = plan({ ...s, policies: rest });
    const theirs = fleetRules(plan(s)).filter((r) => !r.reason.includes(`policy ${gone.name},`));
    expect(specs(fleetRules(without))).toEqual(specs(theirs));
  });

  it.each(scenarios())('seed $seed: a container re-created on another host port takes its rules along', (s) => {
    const before = plan(s);
    const moved = s.facts.ports.map((p) => (p.container === 'nginx1' ? { ...p, hostPort: 9090 } : p));
    const start = applied(s.facts, before);
    const after = plan({ facts: { ...start, ports: moved }, policies: s.policies });
    const nginx1 = (rules: Rule[]) => rules.filter((r) => r.reason.includes('nginx1 80/tcp'));
    // DNAT'd bindings match the host port in conntrack, docker-proxy ones (INPUT) as --dport.
    const shifted = specs(nginx1(fleetRules(before))).map((r) =>
      r.replace('--ctorigdstport 8080 ', '--ctorigdstport 9090 ').replace('--dport 8080 -m conntrack --ctdir', '--dport 9090 -m conntrack --ctdir'));
    expect(specs(nginx1(fleetRules(after))).sort()).toEqual(shifted.sort());
    const changed = after.changes.map((c) => `${c.op} ${c.rule.family} ${c.rule.spec}`).sort();
    const expected = [
      ...specs(nginx1(fleetRules(before))).map((r) => `remove ${r}`),
      ...specs(nginx1(fleetRules(after))).map((r) => `add ${r}`),
    ].sort();
    expect(changed).toEqual(expected);
  });

  it('the generator makes plans with rules in both families, and plans with none', () => {
    const counts = scenarios().map((s) => specs(fleetRules(plan(s))));
    expect(counts.some((c) => c.some((r) => r.startsWith('6 ')))).toBe(true);
    expect(counts.some((c) => c.length === 0)).toBe(true);
    expect(Math.max(...counts.map((c) => c.length))).toBeGreaterThan(10);
  });
});

describe('the shipped example against the captured lab host', () => {
  it('is the two rules of the classic case, with --ctdir ORIGINAL, and the jump; IPv6 the same', async () => {
    const { inventory, policies: shipped } = await loadConfig({ inventory: 'inventory/hosts.yaml', policies: 'policies' }, '/home/me');
    const lab1 = inventory.hosts.find((h) => h.name === 'lab1')!;
    const planned = planHost(lab1, shipped, labFacts());
    expect(planned.wanted.map((r) => `${r.family} -A ${r.chain} ${r.spec}`)).toEqual([
      '4 -A DOCKER-USER -j FLEET',
      '4 -A FLEET -s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN',
      '4 -A FLEET -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable',
      // Docker 20.10 leaves IPv6 to docker-proxy, so the same policy goes into INPUT.
      '6 -A INPUT -j FLEET-INPUT',
      '6 -A FLEET-INPUT -s fd5e:e7f1:ab00::10/128 ! -i lo -p tcp -m tcp --dport 8080 -m conntrack --ctdir ORIGINAL -j RETURN',
      '6 -A FLEET-INPUT ! -i lo -p tcp -m tcp --dport 8080 -m conntrack --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable',
    ]);
    expect(planned.changes.map((c) => c.op)).toEqual(['add', 'add', 'add', 'add', 'add', 'add']);
    expect(planned.changes[1]?.rule.reason).toBe(
      'allow 198.18.0.10/32 to nginx1 80/tcp (host port 8080) — policy office-only, policies/office-only.yaml:6',
    );
  });

  it('matches the rules the lab engineer wrote by hand, less --ctdir ORIGINAL', async () => {
    const { fixture } = await import('./helpers/fixtures.js');
    const { parseFilterTable } = await import('../../src/facts/iptables.js');
    const byHand = parseFilterTable(fixture('docker-20.10/iptables-save-filter-with-rules.txt'))
      .rules.filter((r) => r.chain === 'DOCKER-USER' && r.spec !== '-j RETURN').map((r) => r.spec);
    const planned = planHost(host(['office-only']), (await loadConfig({ inventory: 'inventory/hosts.yaml', policies: 'policies' }, '/h')).policies, labFacts());
    const v4 = fleetRules(planned).filter((r) => r.family === 4);
    expect(v4.map((r) => r.spec.replace(' --ctdir ORIGINAL', ''))).toEqual(byHand);
  });
});
