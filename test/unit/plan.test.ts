import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/errors.js';
import type { FilterTable, HostPlan, PublishedPort } from '../../src/model.js';
import { planHost, renderRestore } from '../../src/plan/index.js';
import { facts, host, labFacts, policy, port, table } from './helpers/facts.js';

// Table-driven: published ports, live rules and policies in; FLEET's wanted rules, the changes,
// the warnings and notes out, all exact.

const DOCKER = ['-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -j RETURN'];
const WITH_FLEET = ['-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -j FLEET', '-A DOCKER-USER -j RETURN'];
const CHAINS = ['DOCKER-USER', 'FLEET'];

const OFFICE = `sources:
  office: [198.18.0.10]
rules:
  - container: nginx1
    port: 80/tcp
    allow: [office]
`;
const RETURN_8080 = '-s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN';
const REJECT_8080 = '-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable';
const NGINX1 = [port('nginx1', '80/tcp 0.0.0.0 8080'), port('nginx1', '80/tcp :: 8080')];
const ALLOW = 'allow 198.18.0.10/32 to nginx1 80/tcp (host port 8080) — policy office-only, policies/office-only.yaml:4';
const REJECT = 'reject everyone else from nginx1 80/tcp (host port 8080) — policy office-only, policies/office-only.yaml:4';
const JUMP = "send the traffic of DOCKER-USER through fleet's chain FLEET first";
const NO_V6 = 'nginx1 80/tcp (host port 8080) is published on IPv6 (::), but ip6tables printed no filter table here, so fleet cannot restrict it (install iptables, which brings ip6tables)';

interface Case {
  name: string;
  ports: PublishedPort[];
  filter4?: FilterTable;
  filter6?: FilterTable | null;
  policies: Record<string, string>;
  /** FLEET's wanted specs per family (the jump is checked apart). */
  fleet4?: string[];
  fleet6?: string[];
  /** `+4 CHAIN spec  | reason` / `-4 CHAIN spec  | reason`; omitted: every wanted rule is added. */
  changes?: string[];
  warnings?: string[];
  notes?: string[];
}

const cases: Case[] = [
  {
    name: 'the classic case, nothing of fleet live yet',
    ports: NGINX1,
    policies: { 'office-only': OFFICE },
    fleet4: [RETURN_8080, REJECT_8080],
    changes: [
      `+4 DOCKER-USER -j FLEET | ${JUMP}`,
      `+4 FLEET ${RETURN_8080} | ${ALLOW}`,
      `+4 FLEET ${REJECT_8080} | ${REJECT}`,
    ],
    warnings: [NO_V6],
    notes: [],
  },
  {
    name: 'in sync: no changes',
    ports: NGINX1,
    filter4: table([...WITH_FLEET, `-A FLEET ${RETURN_8080}`, `-A FLEET ${REJECT_8080}`], CHAINS),
    policies: { 'office-only': OFFICE },
    fleet4: [RETURN_8080, REJECT_8080],
    changes: [],
    warnings: [NO_V6],
  },
  {
    name: 'the same rules in another order are a change',
    ports: NGINX1,
    filter4: table([...WITH_FLEET, `-A FLEET ${REJECT_8080}`, `-A FLEET ${RETURN_8080}`], CHAINS),
    policies: { 'office-only': OFFICE },
    changes: [
      `-4 FLEET ${REJECT_8080} | out of order: it comes back at its place`,
      `+4 FLEET ${REJECT_8080} | ${REJECT}`,
    ],
  },
  {
    name: 'a rule no policy wants any more is removed',
    ports: NGINX1,
    filter4: table([...WITH_FLEET, `-A FLEET ${RETURN_8080}`, '-A FLEET -s 10.9.9.9/32 -j RETURN', `-A FLEET ${REJECT_8080}`], CHAINS),
    policies: { 'office-only': OFFICE },
    changes: ['-4 FLEET -s 10.9.9.9/32 -j RETURN | no policy wants it now'],
  },
  {
    name: 'a container that is not running: a warning and no rule',
    ports: [port('nginx2', '80/tcp 0.0.0.0 8081')],
    policies: { 'office-only': OFFICE },
    fleet4: [],
    changes: [`+4 DOCKER-USER -j FLEET | ${JUMP}`],
    warnings: ['policy office-only (policies/office-only.yaml:4): container nginx1 is not running or publishes no port, so the rule does nothing'],
    notes: ['nginx2 80/tcp (host port 8081): no policy rule, open to everyone'],
  },
  {
    name: 'a container port that is not published',
    ports: [port('nginx1', '443/tcp 0.0.0.0 8443')],
    policies: { 'office-only': OFFICE },
    fleet4: [],
    warnings: ['policy office-only (policies/office-only.yaml:4): nginx1 does not publish 80/tcp (it publishes 443/tcp), so the rule does nothing'],
  },
  {
    name: 'published on 127.0.0.1 only: nothing to do',
    ports: [port('nginx1', '80/tcp 127.0.0.1 8083')],
    policies: { 'office-only': OFFICE },
    fleet4: [],
    warnings: [],
    notes: ['nginx1 80/tcp (host port 127.0.0.1:8083): published on 127.0.0.1 only, nothing to do'],
  },
  {
    name: 'published on one host address: --ctorigdst',
    ports: [port('nginx1', '80/tcp 198.18.1.1 8090')],
    policies: { 'office-only': OFFICE },
    fleet4: [
      '-s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdst 198.18.1.1 --ctorigdstport 8090 --ctdir ORIGINAL -j RETURN',
      '-p tcp -m tcp --dport 80 -m conntrack --ctorigdst 198.18.1.1 --ctorigdstport 8090 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable',
    ],
  },
  {
    name: 'IPv6 with ip6tables managed by Docker: each family gets its own sources',
    ports: [...NGINX1, port('nginx1', '80/tcp FD00::1 8080')],
    filter6: table(DOCKER),
    policies: { mixed: 'rules:\n  - container: nginx1\n    allow: [10.0.0.0/8, "fd00:1::/64"]\n' },
    fleet4: [
      '-s 10.0.0.0/8 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN',
      REJECT_8080,
    ],
    fleet6: [
      '-s fd00:1::/64 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN',
      '-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable',
      '-s fd00:1::/64 -p tcp -m tcp --dport 80 -m conntrack --ctorigdst fd00::1 --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN',
      '-p tcp -m tcp --dport 80 -m conntrack --ctorigdst fd00::1 --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable',
    ],
    warnings: [],
  },
  {
    name: 'a host port over udp, allowed to nobody',
    ports: [port('multi', '9000/udp 0.0.0.0 9000'), port('multi', '80/tcp 0.0.0.0 8082')],
    policies: { dns: 'rules:\n  - hostPort: 9000/udp\n    allow: []\n' },
    fleet4: ['-p udp -m udp --dport 9000 -m conntrack --ctorigdstport 9000 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable'],
    changes: [
      `+4 DOCKER-USER -j FLEET | ${JUMP}`,
      '+4 FLEET -p udp -m udp --dport 9000 -m conntrack --ctorigdstport 9000 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable | reject everyone from multi 9000/udp (host port 9000) — policy dns, policies/dns.yaml:2',
    ],
    notes: ['multi 80/tcp (host port 8082): no policy rule, open to everyone'],
  },
  {
    name: 'a host port rule stays with the host port when the container moves to another',
    ports: [port('nginx1', '80/tcp 0.0.0.0 9090')],
    policies: { web: 'rules:\n  - hostPort: 8080\n    allow: []\n' },
    fleet4: [],
    warnings: ['policy web (policies/web.yaml:2): no container publishes host port 8080/tcp, so the rule does nothing'],
    notes: ['nginx1 80/tcp (host port 9090): no policy rule, open to everyone'],
  },
  {
    name: 'allowing 0.0.0.0/0 writes no -s, as iptables-save prints it',
    ports: [port('nginx1', '80/tcp 0.0.0.0 8080')],
    policies: { all: 'rules:\n  - container: nginx1\n    allow: [0.0.0.0/0]\n' },
    fleet4: ['-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN', REJECT_8080],
  },
  {
    name: 'no port given, and the container publishes two tcp ports',
    ports: [port('multi', '80/tcp 0.0.0.0 8082'), port('multi', '443/tcp 0.0.0.0 8443'), port('multi', '9000/udp 0.0.0.0 9000')],
    policies: { web: 'rules:\n  - container: multi\n    allow: []\n' },
    fleet4: [],
    warnings: ['policy web (policies/web.yaml:2): multi publishes 2 tcp ports (80/tcp, 443/tcp, 9000/udp) and the rule names no `port`, so the rule does nothing'],
  },
  {
    name: 'rules sorted by protocol, host port, host address, whatever the policy order',
    ports: [port('b', '53/udp 0.0.0.0 53'), port('a', '80/tcp 0.0.0.0 9000'), port('c', '80/tcp 0.0.0.0 8000')],
    policies: { p: 'rules:\n  - container: b\n    port: 53/udp\n    allow: []\n  - container: a\n    allow: []\n  - container: c\n    allow: []\n' },
    fleet4: [
      '-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8000 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable',
      '-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 9000 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable',
      '-p udp -m udp --dport 53 -m conntrack --ctorigdstport 53 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable',
    ],
  },
  {
    name: 'the same rule from two policies is one, with both reasons',
    ports: [port('nginx1', '80/tcp 0.0.0.0 8080')],
    policies: { 'office-only': OFFICE, again: 'rules:\n  - hostPort: 8080\n    allow: [198.18.0.10]\n' },
    changes: [
      `+4 DOCKER-USER -j FLEET | ${JUMP}`,
      `+4 FLEET ${RETURN_8080} | allow 198.18.0.10/32 to nginx1 80/tcp (host port 8080) — policy again, policies/again.yaml:2; policy office-only, policies/office-only.yaml:4`,
      `+4 FLEET ${REJECT_8080} | reject everyone else from nginx1 80/tcp (host port 8080) — policy again, policies/again.yaml:2; policy office-only, policies/office-only.yaml:4`,
    ],
  },
  {
    name: 'hand-written rules in DOCKER-USER are left alone; an ACCEPT above the jump is warned of',
    ports: [port('nginx1', '80/tcp 0.0.0.0 8080')],
    filter4: table(['-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -s 10.9.9.9/32 -j ACCEPT', '-A DOCKER-USER -i eth1 -j DROP',
      '-A DOCKER-USER -j FLEET', '-A DOCKER-USER -j RETURN', `-A FLEET ${RETURN_8080}`, `-A FLEET ${REJECT_8080}`], CHAINS),
    policies: { 'office-only': OFFICE },
    changes: [],
    warnings: ["IPv4: DOCKER-USER has `-s 10.9.9.9/32 -j ACCEPT` above fleet's jump, so what it matches skips fleet's rules (fleet does not move your rules; move it below `-j FLEET` if fleet should see that traffic)"],
  },
  {
    name: 'FORWARD does not jump to DOCKER-USER',
    ports: [],
    filter4: table(['-A DOCKER-USER -j FLEET'], CHAINS),
    policies: {},
    changes: [],
    warnings: ["IPv4: FORWARD does not jump to DOCKER-USER, so fleet's rules see no traffic (restart Docker to put its jump back)"],
  },
  {
    name: 'Docker 28: an empty DOCKER-USER gets the jump as its only rule',
    ports: NGINX1,
    filter4: table(['-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-FORWARD'], ['DOCKER-USER', 'DOCKER-FORWARD']),
    filter6: table(['-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-FORWARD'], ['DOCKER-USER', 'DOCKER-FORWARD']),
    policies: { 'office-only': OFFICE },
    fleet4: [RETURN_8080, REJECT_8080],
    fleet6: ['-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable'],
    warnings: [],
  },
];

const show = (c: { op: string; rule: { family: number; chain: string; spec: string; reason: string } }) =>
  `${c.op === 'add' ? '+' : '-'}${c.rule.family} ${c.rule.chain} ${c.rule.spec} | ${c.rule.reason}`;

function planOf(c: Case): { plan: HostPlan; live: ReturnType<typeof facts> } {
  const live = facts({ ports: c.ports, filter4: c.filter4 ?? table(DOCKER), filter6: c.filter6 ?? null });
  const policies = Object.entries(c.policies).map(([name, yaml]) => policy(name, yaml));
  return { plan: planHost(host(Object.keys(c.policies)), policies, live), live };
}

describe('planHost', () => {
  it.each(cases)('$name', (c) => {
    const { plan, live } = planOf(c);
    const fleet = (family: number) => plan.wanted.filter((r) => r.family === family && r.chain === 'FLEET').map((r) => r.spec);
    if (c.fleet4) expect(fleet(4)).toEqual(c.fleet4);
    if (c.fleet6) expect(fleet(6)).toEqual(c.fleet6);
    const jumps = plan.wanted.filter((r) => r.chain === 'DOCKER-USER').map((r) => `${r.family} ${r.spec}`);
    expect(jumps).toEqual(live.filter6 ? ['4 -j FLEET', '6 -j FLEET'] : ['4 -j FLEET']);
    if (c.changes) expect(plan.changes.map(show)).toEqual(c.changes);
    if (c.warnings) expect(plan.warnings).toEqual(c.warnings);
    if (c.notes) expect(plan.notes).toEqual(c.notes);
  });

  it.each(cases)('$name: has changes exactly when there is restore input', (c) => {
    const { plan, live } = planOf(c);
    const inputs = [renderRestore(plan, live, 4), renderRestore(plan, live, 6)].filter((t) => t !== null);
    expect(inputs.length > 0).toBe(plan.changes.length > 0);
  });

  it('counts the containers its rules matched, not their bindings', () => {
    expect(planOf(cases[0]!).plan.matched).toBe(1);
  });
});

describe('planHost on a broken host', () => {
  it('refuses a host whose Docker runs without iptables (no DOCKER-USER)', () => {
    const live = facts({ filter4: table(['-A FORWARD -j ACCEPT'], []) });
    expect(() => planHost(host([]), [], live)).toThrow(HostError);
    expect(() => planHost(host([]), [], live)).toThrow(
      'lab1: plan: the IPv4 filter table has no DOCKER-USER chain: Docker is not running with iptables (start dockerd with its iptables rules on (the default), then plan again)',
    );
  });

  it('refuses two rules that give one published port two allow lists', () => {
    const live = facts({ ports: [port('nginx1', '80/tcp 0.0.0.0 8080')] });
    const policies = [policy('office-only', OFFICE), policy('open', 'rules:\n  - hostPort: 8080\n    allow: [10.0.0.0/8]\n')];
    expect(() => planHost(host(['office-only', 'open']), policies, live)).toThrow(
      'lab1: plan: nginx1 80/tcp (host port 8080) gets two allow lists: from policy office-only (policies/office-only.yaml:4) and policy open (policies/open.yaml:2) (a port has one allow list per host: make the two lists equal, or keep one rule)',
    );
  });
});

describe('the lab as captured (Docker 20.10, lab1)', () => {
  it('plans the classic case on the real facts, and explains the other containers', () => {
    const plan = planHost(host(['office-only']), [policy('office-only', OFFICE)], labFacts());
    expect(plan.wanted.map((r) => `${r.family} ${r.chain} ${r.spec}`)).toEqual([
      '4 DOCKER-USER -j FLEET', `4 FLEET ${RETURN_8080}`, `4 FLEET ${REJECT_8080}`,
      '6 INPUT -j FLEET-INPUT',
      '6 FLEET-INPUT ! -i lo -p tcp -m tcp --dport 8080 -m conntrack --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable',
    ]);
    const open = (label: string) => `${label}: no policy rule, open to everyone`;
    expect(plan.notes).toEqual([
      'nginx1 80/tcp (host port 8080) over IPv6 (docker-proxy): closed to everyone, the policy lists only IPv4 sources',
      open('app 80/tcp (host port 8084)'),
      open('app 80/tcp (host port 8084) over IPv6 (docker-proxy)'),
      open('host-addr 80/tcp (host port 198.18.1.1:8090)'),
      open('multi 80/tcp (host port 8082)'),
      open('multi 80/tcp (host port 8082) over IPv6 (docker-proxy)'),
      open('multi 443/tcp (host port 8443)'),
      open('multi 443/tcp (host port 8443) over IPv6 (docker-proxy)'),
      open('multi 9000/udp (host port 9000)'),
      open('multi 9000/udp (host port 9000) over IPv6 (docker-proxy)'),
      open('nginx2 80/tcp (host port 8081)'),
      open('nginx2 80/tcp (host port 8081) over IPv6 (docker-proxy)'),
    ]);
    expect(plan.warnings).toEqual([]);
  });
});
