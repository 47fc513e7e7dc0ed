// The IPv6 side door: which path IPv6 packets take to each published port (Docker's DNAT,
// docker-proxy, or none), and the rules fleet plans on each, from real captured output.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseFilterTable } from '../../src/facts/iptables.js';
import { parseDnats, parseListeners, withPaths } from '../../src/facts/paths.js';
import type { HostFacts, PublishedPort } from '../../src/model.js';
import { planHost, renderRestore } from '../../src/plan/index.js';
import { FLEET_PART_AWK, fleetPartOfRules, fleetPartOfTable } from '../../src/remote/fleet-part.js';
import { splitSections } from '../../src/remote/sections.js';
import { EMPTY_V6, facts, host, listenersOf, policy, port, table } from './helpers/facts.js';
import { fixture } from './helpers/fixtures.js';

const LISTENERS = listenersOf('docker-20.10');
const NAT6_DOCKER_IP6TABLES = fixture('docker-20.10-ip6tables/ip6tables-save.txt');
const BOTH = `sources:\n  office: [198.18.0.10, fd5e:e7f1:ab00::10]\nrules:\n  - container: nginx1\n    port: 80\n    allow: [office]\n`;
const V4_ONLY = `rules:\n  - container: nginx1\n    port: 80\n    allow: [198.18.0.10]\n`;
const NGINX1 = [port('nginx1', '80/tcp 0.0.0.0 8080'), port('nginx1', '80/tcp :: 8080')];
const PROXY_MATCH = '! -i lo -p tcp -m tcp --dport 8080 -m conntrack --ctdir ORIGINAL';
const PROXY_REJECT = `${PROXY_MATCH} -j REJECT --reject-with icmp6-port-unreachable`;

function proxied(ports: PublishedPort[]): PublishedPort[] {
  return withPaths(ports, LISTENERS, []);
}

function lab(ports: PublishedPort[], over: Partial<HostFacts> = {}): HostFacts {
  return facts({ ports, filter6: parseFilterTable(EMPTY_V6), ...over });
}

const planOf = (text: string, f: HostFacts) => planHost(host(['p']), [policy('p', text)], f);
const v6 = (f: HostFacts, text = BOTH) =>
  planOf(text, f).wanted.filter((r) => r.family === 6).map((r) => `-A ${r.chain} ${r.spec}`);

describe('how IPv6 reaches a binding', () => {
  it('reads the listening sockets from ss, one protocol and one state at a time', () => {
    expect(LISTENERS).toContainEqual({ protocol: 'tcp', address: '::', port: 8080 });
    expect(LISTENERS).toContainEqual({ protocol: 'udp', address: '::', port: 9000 });
    expect(LISTENERS).toContainEqual({ protocol: 'tcp', address: '198.18.1.1', port: 8090 });
    expect(LISTENERS).toContainEqual({ protocol: 'tcp', address: 'fd5e:e7f1:ab00::1:1', port: 22 });
    expect(LISTENERS).toHaveLength(16);
  });

  it("reads Docker's IPv6 DNAT rules from ip6tables' nat table", () => {
    expect(parseDnats(NAT6_DOCKER_IP6TABLES)).toEqual([
      { protocol: 'tcp', port: 8080 },
      { protocol: 'tcp', port: 8081 },
    ]);
  });

  it('is docker-proxy on Docker 20.10 by default, DNAT with its ip6tables on, none with neither', () => {
    const paths = (ports: PublishedPort[]) => ports.map((p) => p.path ?? 'dnat');
    expect(paths(proxied(NGINX1))).toEqual(['dnat', 'proxy']);
    expect(paths(withPaths(NGINX1, LISTENERS, parseDnats(NAT6_DOCKER_IP6TABLES)))).toEqual(['dnat', 'dnat']);
    expect(paths(withPaths(NGINX1, [], []))).toEqual(['dnat', 'none']);
  });
});

describe('the plan on the docker-proxy path', () => {
  it('puts the same policy into INPUT: one RETURN per IPv6 source, then a REJECT', () => {
    expect(v6(lab(proxied(NGINX1)))).toEqual([
      '-A INPUT -j FLEET-INPUT',
      `-A FLEET-INPUT -s fd5e:e7f1:ab00::10/128 ${PROXY_MATCH} -j RETURN`,
      `-A FLEET-INPUT ${PROXY_REJECT}`,
    ]);
  });

  it('closes IPv6 when the policy lists only IPv4 sources, and says so in one line', () => {
    const plan = planOf(V4_ONLY, lab(proxied(NGINX1)));
    expect(plan.wanted.filter((r) => r.chain === 'FLEET-INPUT').map((r) => r.spec)).toEqual([PROXY_REJECT]);
    expect(plan.notes).toContain(
      'nginx1 80/tcp (host port 8080) over IPv6 (docker-proxy): closed to everyone, the policy lists only IPv4 sources',
    );
  });

  it('restricts udp and a binding on one IPv6 address alike', () => {
    const ports = proxied([port('multi', '9000/udp :: 9000'), port('nginx1', '80/tcp fd5e:e7f1:ab00::1:1 8080')]);
    const text = `rules:\n  - hostPort: 9000/udp\n    allow: []\n  - container: nginx1\n    allow: []\n`;
    expect(v6(lab(ports), text)).toEqual([
      '-A INPUT -j FLEET-INPUT',
      '-A FLEET-INPUT -d fd5e:e7f1:ab00::1:1/128 ! -i lo -p tcp -m tcp --dport 8080 -m conntrack --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable',
      '-A FLEET-INPUT ! -i lo -p udp -m udp --dport 9000 -m conntrack --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable',
    ]);
  });

  it('writes nothing for a binding nothing listens on, and says it is closed', () => {
    const plan = planOf(BOTH, lab(withPaths(NGINX1, [], [])));
    expect(plan.wanted.filter((r) => r.family === 6)).toEqual([]);
    expect(plan.notes).toContain('nginx1 80/tcp (host port 8080) over IPv6: nothing listens for it, so it is closed already');
  });

  it('removes FLEET-INPUT and its jump once no port needs them', () => {
    const before = lab(proxied(NGINX1));
    const live = parseFilterTable(
      ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':FLEET-INPUT - [0:0]',
        '-A INPUT -j FLEET-INPUT', `-A FLEET-INPUT ${PROXY_REJECT}`, 'COMMIT'].join('\n'),
    );
    const plan = planHost(host([]), [], { ...before, filter6: live });
    const changes6 = plan.changes.filter((c) => c.rule.family === 6);
    expect(changes6.map((c) => `${c.op} ${c.rule.chain} ${c.rule.spec}`)).toEqual([
      'remove INPUT -j FLEET-INPUT',
      `remove FLEET-INPUT ${PROXY_REJECT}`,
    ]);
    expect(renderRestore(plan, { ...before, filter6: live }, 6)).toBe(
      '*filter\n:FLEET-INPUT - [0:0]\n-D INPUT -j FLEET-INPUT\n-X FLEET-INPUT\nCOMMIT\n',
    );
  });
});

describe('the plan on the DNAT path', () => {
  it('uses ip6tables DOCKER-USER where Docker makes one: the IPv4 shape, in IPv6', () => {
    const ports = withPaths(NGINX1, [], [{ protocol: 'tcp', port: 8080 }]);
    const filter6 = table(['-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -j RETURN']);
    expect(v6(lab(ports, { filter6 }))).toEqual([
      '-A DOCKER-USER -j FLEET',
      '-A FLEET -s fd5e:e7f1:ab00::10/128 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN',
      '-A FLEET -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with icmp6-port-unreachable',
    ]);
  });

  it('warns, and writes nothing, where Docker 20.10 DNATs IPv6 with no DOCKER-USER', () => {
    const ports = withPaths(NGINX1, LISTENERS, parseDnats(NAT6_DOCKER_IP6TABLES));
    const plan = planOf(BOTH, lab(ports, { filter6: parseFilterTable(NAT6_DOCKER_IP6TABLES) }));
    expect(plan.wanted.filter((r) => r.family === 6)).toEqual([]);
    expect(plan.warnings).toEqual([
      "nginx1 80/tcp (host port 8080) is DNATed on IPv6 by Docker's ip6tables rules, but ip6tables has no DOCKER-USER chain here (Docker 20.10 makes none), so fleet cannot restrict it: upgrade Docker, or turn its ip6tables off so that fleet restricts docker-proxy in INPUT",
    ]);
  });
});

describe("fleet's part, on the host and on the controller", () => {
  const captured = splitSections(fixture('facts/lab1-applied.txt'));
  const awk = (text: string) => execFileSync('awk', [FLEET_PART_AWK], { input: text, encoding: 'utf8' }).replace(/\n$/, '');

  it.each(['iptables-save', 'ip6tables-save', 'rules.v4', 'rules.v6'])('agree on %s as captured from lab1', (name) => {
    const text = captured.get(name)?.output ?? '';
    expect(awk(text)).toBe(fleetPartOfTable(parseFilterTable(text)));
    expect(awk(text)).toMatch(/^:FLEET/);
  });

  it('is what the plan wants, once applied', () => {
    const text = captured.get('ip6tables-save')?.output ?? '';
    const plan = planHost(host(['p']), [policy('p', BOTH)], lab(proxied(NGINX1)));
    expect(fleetPartOfRules(plan.wanted.filter((r) => r.family === 6))).toBe(awk(text));
  });
});

describe('ss without -p, as the facts script asks it', () => {
  it('finds docker-proxy by the published address and port alone', () => {
    const plain = '0      4096         0.0.0.0:8080      0.0.0.0:*\n0      4096            [::]:8080         [::]:*\n';
    expect(parseListeners(plain, 'tcp')).toContainEqual({ protocol: 'tcp', address: '::', port: 8080 });
    expect(withPaths(NGINX1, parseListeners(plain, 'tcp'), []).map((p) => p.path ?? 'dnat')).toEqual(['dnat', 'proxy']);
  });

  it('does not take a UDP listener for a TCP binding', () => {
    const udp = parseListeners('0      0         [::]:8080    [::]:*\n', 'udp');
    expect(withPaths(NGINX1, udp, []).map((p) => p.path ?? 'dnat')).toEqual(['dnat', 'none']);
  });
});
