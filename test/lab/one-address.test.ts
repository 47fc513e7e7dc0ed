// A port published on one host address only (-p 198.18.1.1:8090:80): fleet adds --ctorigdst, and
// the policy holds by packets on that address. Docker publishes nothing on IPv6 for it, so the
// plan says IPv6 has nothing to do.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { docker } from './docker.js';
import { type LabHost } from './lab.js';
import { expectAccess, fleet, labInventory, policyDir } from './fleet-support.js';

const lab = inject('lab');
const lab1 = lab.hosts.find((h) => h.name === 'lab1') as LabHost;
const ARGS = ['--inventory', labInventory([lab1], ['only-a']), '--policies', policyDir({
  'only-a': 'rules:\n  - container: nginx3\n    allow: [198.18.0.10, fd5e:e7f1:ab00::10]\n',
})];

beforeAll(async () => {
  await docker(lab1, [
    'run', '-d', '--init', '--name', 'nginx3', '-p', `${lab1.address}:8090:80`,
    'fleet-lab/busybox', '/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/www',
  ]);
});

afterAll(async () => {
  await fleet(['clear', '--yes', ...ARGS]);
  await docker(lab1, ['rm', '-f', 'nginx3']);
});

describe('a port published on one host address', () => {
  it('is restricted on that address, with --ctorigdst, and left alone on IPv6', async () => {
    await expectAccess(lab1.address, { 'pc-a 8090': 'open', 'pc-b 8090': 'open' });
    const diff = await fleet(['diff', ...ARGS]);
    expect(diff.stdout).toContain(
      '+ iptables -A FLEET -p tcp -m tcp --dport 80 -m conntrack --ctorigdst 198.18.1.1 --ctorigdstport 8090 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable',
    );
    expect(diff.stdout).not.toContain('ip6tables -A FLEET-INPUT');
    expect((await fleet(['apply', '--yes', ...ARGS])).code).toBe(0);
    await expectAccess(lab1.address, { 'pc-a 8090': 'open', 'pc-b 8090': 'refused', 'pc-b 8081': 'open' });
  });
});
