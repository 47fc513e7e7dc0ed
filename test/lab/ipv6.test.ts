// The IPv6 side door, proven by packets on a real Docker 20.10 host: docker-proxy answers IPv6 on
// [::]:8080, so the IPv4 rules alone leave the port open to every IPv6 client. fleet applies the
// same policy in ip6tables' INPUT, persists it in rules.v6, and it holds after a reboot.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { reboot, type LabHost } from './lab.js';
import { expectAccess, fleet, labInventory, policyDir } from './fleet-support.js';
import { hostExec } from './lab.js';
import { docker } from './docker.js';

const lab = inject('lab');
const lab1 = lab.hosts.find((h) => h.name === 'lab1') as LabHost;
const inventory = labInventory([lab1], ['office-only']);
const SHIPPED = ['--inventory', inventory, '--policies', 'policies'];
const V4_ONLY = ['--inventory', inventory, '--policies', policyDir({
  'office-only': 'rules:\n  - container: nginx1\n    allow: [198.18.0.10]\n',
})];
const V6 = lab1.address6;

/** Both clients on both families: nginx1 (8080) restricted, nginx2 (8081) open. */
const SIDE_DOOR_CLOSED = { 'pc-a 8080': 'open', 'pc-b 8080': 'refused', 'pc-a 8081': 'open', 'pc-b 8081': 'open' } as const;

async function savedV6(): Promise<string> {
  const r = await hostExec('lab1', ['cat', '/etc/iptables/rules.v6']);
  return r.code === 0 ? r.stdout : '';
}

afterAll(async () => {
  await fleet(['clear', '--yes', ...SHIPPED]);
});

describe('IPv6 on a Docker 20.10 host (docker-proxy)', () => {
  it('is open to every IPv6 client before fleet, whatever IPv4 says', async () => {
    await expectAccess(V6, { 'pc-a 8080': 'open', 'pc-b 8080': 'open' });
  });

  it('gets the same policy as IPv4: allowed IPv6 client open, the other refused', async () => {
    const diff = await fleet(['diff', ...SHIPPED]);
    expect(diff.stdout).toContain('+ ip6tables -A INPUT -j FLEET-INPUT');
    expect(diff.stdout).toContain(
      '+ ip6tables -A FLEET-INPUT -s fd5e:e7f1:ab00::10/128 ! -i lo -p tcp -m tcp --dport 8080 -m conntrack --ctdir ORIGINAL -j RETURN',
    );
    const apply = await fleet(['apply', '--yes', ...SHIPPED]);
    expect(apply.code, apply.stdout).toBe(0);
    await expectAccess(V6, SIDE_DOOR_CLOSED);
    await expectAccess(lab1.address, SIDE_DOOR_CLOSED);
    expect(await savedV6()).toContain('-A INPUT -j FLEET-INPUT');
    const status = await fleet(['status', ...SHIPPED]);
    expect(status.stdout).toMatch(/│ nginx1 +│ :::8080->80\/tcp +│ docker-proxy +│ office-only +│ fd5e:e7f1:ab00::10\/128 +│ [1-9]\d* +│/);
  });

  it('holds after a reboot, from rules.v6', async () => {
    await reboot('lab1');
    await expectAccess(V6, SIDE_DOOR_CLOSED);
    await expectAccess(lab1.address, SIDE_DOOR_CLOSED);
    expect((await fleet(['diff', ...SHIPPED])).code).toBe(0);
  });

  it('closes IPv6 to everyone when the policy lists only IPv4 sources, and says so', async () => {
    const diff = await fleet(['diff', ...V4_ONLY]);
    expect(diff.stdout).toContain(
      'note: nginx1 80/tcp (host port 8080) over IPv6 (docker-proxy): closed to everyone, the policy lists only IPv4 sources',
    );
    expect((await fleet(['apply', '--yes', ...V4_ONLY])).code).toBe(0);
    const closed = { 'pc-a 8080': 'refused', 'pc-b 8080': 'refused', 'pc-a 8081': 'open', 'pc-b 8081': 'open' } as const;
    await expectAccess(V6, closed);
    await expectAccess(lab1.address, SIDE_DOOR_CLOSED);
    await reboot('lab1');
    await expectAccess(V6, closed);
    await expectAccess(lab1.address, SIDE_DOOR_CLOSED);
  });

  it('is open again on both families after fleet clear, which persists that', async () => {
    expect((await fleet(['clear', '--yes', ...SHIPPED])).code).toBe(0);
    await expectAccess(V6, { 'pc-b 8080': 'open' });
    await expectAccess(lab1.address, { 'pc-b 8080': 'open' });
    expect(await savedV6()).not.toContain('FLEET');
  });
});

describe('a published UDP port on a Docker 20.10 host', () => {
  // docker-proxy listens for UDP whatever the container does (busybox here has no UDP server),
  // and only `ss -u` sees it: the facts script asks that only where Docker published UDP.
  const UDP = ['--inventory', inventory, '--policies', policyDir({
    'office-only': 'rules:\n  - hostPort: 9000/udp\n    allow: [fd5e:e7f1:ab00::10]\n',
  })];

  afterAll(async () => {
    await docker(lab1, ['rm', '-f', 'udp1']);
  });

  it('is reached over IPv6 through docker-proxy, so its rules go in ip6tables INPUT', async () => {
    await docker(lab1, [
      'run', '-d', '--name', 'udp1', '-p', '9000:9000/udp',
      'fleet-lab/busybox', '/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/www',
    ]);
    const diff = await fleet(['diff', ...UDP]);
    expect(diff.code, diff.stdout + diff.stderr).toBe(2);
    expect(diff.stdout).toContain(
      '+ ip6tables -A FLEET-INPUT -s fd5e:e7f1:ab00::10/128 ! -i lo -p udp -m udp --dport 9000 -m conntrack --ctdir ORIGINAL -j RETURN',
    );
    const status = await fleet(['status', ...UDP]);
    expect(status.stdout).toMatch(/│ udp1 +│ :::9000->9000\/udp +│ docker-proxy +│/);
  });
});
