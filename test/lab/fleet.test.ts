// fleet diff / apply / status / clear on the lab's real Docker hosts, proven by packets: the
// shipped inventory and policies (the classic case), a reboot, drift when a container moves, and
// a failure injected mid-apply.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ssh2Transport, type Transport } from '../../src/ssh/index.js';
import { docker } from './docker.js';
import { hostExec, reboot, type LabHost } from './lab.js';
import { count, expectAccess, filterTable, fleet, savedRules } from './fleet-support.js';

const lab = inject('lab');
const lab1 = lab.hosts.find((h) => h.name === 'lab1') as LabHost;
const SHIPPED = ['--inventory', 'inventory/hosts.yaml', '--policies', 'policies'];
const HAND_RULE = ['-s', '198.18.0.99/32', '-p', 'tcp', '--dport', '22', '-j', 'DROP'];
const HAND_PRINTED = '-A DOCKER-USER -s 198.18.0.99/32 -p tcp -m tcp --dport 22 -j DROP\n';
const CLASSIC = { 'pc-a 8080': 'open', 'pc-a 8081': 'open', 'pc-b 8080': 'refused', 'pc-b 8081': 'open' } as const;
const ALLOW = '-s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack';

async function moveNginx1(hostPort: number): Promise<void> {
  await docker(lab1, ['rm', '-f', 'nginx1']);
  await docker(lab1, [
    'run', '-d', '--init', '--name', 'nginx1', '-p', `${hostPort}:80`, '--restart', 'unless-stopped',
    'fleet-lab/busybox', '/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/www',
  ]);
}

beforeAll(async () => {
  await hostExec('lab1', ['iptables', '-I', 'DOCKER-USER', '1', ...HAND_RULE]);
});

afterAll(async () => {
  await moveNginx1(8080);
  await fleet(['clear', '--yes', ...SHIPPED]);
  await hostExec('lab1', ['iptables', '-D', 'DOCKER-USER', ...HAND_RULE]);
});

describe('fleet on real Docker hosts', () => {
  it('applies the classic case: only pc-a reaches nginx1, nginx2 stays open, hand rules stay', async () => {
    const diff = await fleet(['diff', ...SHIPPED]);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain(`+ iptables -A FLEET ${ALLOW} --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN`);

    const apply = await fleet(['apply', '--yes', ...SHIPPED]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/│ lab1 │ 6 +│ 0 +│ yes +│ changed/);
    await expectAccess(lab1.address, CLASSIC);
    expect(await filterTable('lab1')).toContain(HAND_PRINTED);

    const again = await fleet(['diff', ...SHIPPED]);
    expect(again.code, again.stdout).toBe(0);
    const second = await fleet(['apply', '--yes', ...SHIPPED]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to change: every host is in sync');
  });

  it('holds after a reboot: same packets, no duplicated rule, the FORWARD jump present', async () => {
    await reboot('lab1');
    await expectAccess(lab1.address, CLASSIC);
    const table = await filterTable('lab1');
    expect(count(table, '-A FORWARD -j DOCKER-USER')).toBe(1);
    expect(count(table, '-A DOCKER-USER -j FLEET')).toBe(1);
    expect(table.split('\n').filter((l) => l.startsWith('-A FLEET '))).toHaveLength(2);
    expect((await fleet(['diff', ...SHIPPED])).code).toBe(0);
  });

  it('counts refused packets in status', async () => {
    await expectAccess(lab1.address, { 'pc-b 8080': 'refused' });
    const status = await fleet(['status', '--limit', 'lab1', ...SHIPPED]);
    expect(status.code).toBe(0);
    const row = status.stdout.split('\n').find((l) => l.includes('0.0.0.0:8080->80/tcp')) ?? '';
    expect(row).toMatch(/│ DNAT +│ office-only +│ 198\.18\.0\.10\/32 +│ [1-9]\d* /);
    expect(status.stdout).toContain('installed, enabled at boot; saved rules: match the live rules (IPv4)');
  });

  it('follows a container re-created on another host port', async () => {
    await moveNginx1(9090);
    const diff = await fleet(['diff', '--limit', 'lab1', ...SHIPPED]);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain(`+ iptables -A FLEET ${ALLOW} --ctorigdstport 9090 --ctdir ORIGINAL -j RETURN`);
    expect(diff.stdout).toContain(`- iptables -A FLEET ${ALLOW} --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN`);
    expect((await fleet(['apply', '--yes', '--limit', 'lab1', ...SHIPPED])).code).toBe(0);
    await expectAccess(lab1.address, { 'pc-a 9090': 'open', 'pc-b 9090': 'refused', 'pc-b 8081': 'open' });
    await moveNginx1(8080);
    expect((await fleet(['apply', '--yes', '--limit', 'lab1', ...SHIPPED])).code).toBe(0);
  });

  it('leaves a host exactly as it was when the kernel rejects the change mid-apply', async () => {
    await fleet(['clear', '--yes', '--limit', 'lab1', ...SHIPPED]);
    const before = await filterTable('lab1');
    const savedBefore = await savedRules('lab1');
    const apply = await fleet(['apply', '--yes', '--limit', 'lab1', ...SHIPPED], rejectingRestore());
    expect(apply.code).toBe(1);
    expect(apply.stdout).toContain('lab1: apply: exit 22: Error occurred at line: 4');
    expect(apply.stdout).toContain('iptables-restore rejected the change; nothing was changed');
    expect(await filterTable('lab1')).toBe(before);
    expect(await savedRules('lab1')).toBe(savedBefore);
    await expectAccess(lab1.address, { 'pc-b 8080': 'open' });
  });

  it('clears everything it made, and persists that', async () => {
    expect((await fleet(['apply', '--yes', ...SHIPPED])).code).toBe(0);
    const clear = await fleet(['clear', '--yes', ...SHIPPED]);
    expect(clear.code, clear.stdout).toBe(0);
    const table = await filterTable('lab1');
    expect(table).not.toMatch(/FLEET/);
    expect(table).toContain(HAND_PRINTED);
    expect(await savedRules('lab1')).not.toMatch(/FLEET/);
    await expectAccess(lab1.address, { 'pc-b 8080': 'open' });
  });
});

/** The real transport, but the apply script's restore carries a rule the kernel refuses. */
function rejectingRestore(): Transport {
  return {
    async connect(host, opts) {
      const session = await ssh2Transport.connect(host, opts);
      return {
        exec: (command, o) => {
          const stdin = o?.stdin?.includes('--noflush')
            ? o.stdin.replace('-j REJECT --reject-with', '-j NO-SUCH-CHAIN --reject-with')
            : o?.stdin;
          return session.exec(command, { ...o, stdin });
        },
        close: () => session.close(),
      };
    },
  };
}
