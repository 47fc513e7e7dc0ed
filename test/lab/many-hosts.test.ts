// Many hosts at once: 50 lab hosts (2 with real Docker, 48 stand-ins), one of them down and one
// whose host key is not the one on record. Every other host is applied and persisted; those two
// are reported with their reasons, and the exit status says something failed.
// This file swaps the shared 3-host lab for a 50-host one and gives the shared one back after.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { down, up, type LabInfo } from './lab.js';
import { sshdPid, sshdRunning } from './sshd.js';
import { expectAccess, filterTable, fleet, labInventory, savedRules } from './fleet-support.js';
import { waitFor } from './exec.js';

const shared = inject('lab');
let lab: LabInfo;
let knownHosts: string;

/** A copy of the lab's known_hosts in which `address` has some other ed25519 key. */
function knownHostsWithWrongKey(address: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-kh-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
  const other = readFileSync(join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const lines = readFileSync(lab.knownHostsFile, 'utf8').split('\n');
  const file = join(dir, 'known_hosts');
  writeFileSync(file, lines.map((l) => (l.startsWith(`${address} `) ? `${address} ${other}` : l)).join('\n'));
  return file;
}

beforeAll(async () => {
  await down();
  lab = await up({ hosts: 50, dockerHosts: 2 });
  knownHosts = knownHostsWithWrongKey('198.18.1.49');
  process.kill(sshdPid('lab50'), 'SIGTERM');
  await waitFor('lab50 sshd to stop', 5000, async () => sshdRunning('lab50') === undefined, 20);
}, 300_000);

afterAll(async () => {
  await down();
  await up({ hosts: shared.hosts.length, dockerHosts: shared.hosts.filter((h) => h.kind === 'docker').length });
}, 300_000);

describe('fleet apply across 50 hosts', () => {
  it('applies and persists every reachable host and reports the other two with their reasons', async () => {
    const inventory = labInventory(lab.hosts, ['office-only'], knownHosts);
    const apply = await fleet(['apply', '--yes', '--json', '--inventory', inventory, '--policies', 'policies']);
    expect(apply.code).toBe(1);
    const hosts = (JSON.parse(apply.stdout) as { hosts: HostJson[] }).hosts;
    expect(hosts).toHaveLength(50);

    const failed = hosts.filter((h) => !h.ok);
    expect(failed.map((h) => h.host)).toEqual(['lab49', 'lab50']);
    expect(failed[0]?.error?.message).toContain(`lab49: connect: host key changed: 198.18.1.49 offered ssh-ed25519 key`);
    expect(failed[0]?.error?.message).toContain(`${knownHosts}:`);
    expect(failed[0]?.error?.message).toContain(`run: ssh-keygen -R 198.18.1.49 -f ${knownHosts}`);
    expect(failed[1]?.error?.message).toMatch(/^lab50: connect: unreachable: .*198\.18\.1\.50:22/);

    const applied = hosts.filter((h) => h.ok);
    expect(applied).toHaveLength(48);
    // Real Docker hosts also get the IPv6 rules for docker-proxy; stand-ins run no docker-proxy.
    const docker = new Set(lab.hosts.filter((h) => h.kind === 'docker').map((h) => h.name));
    const expected = (h: HostJson) => (docker.has(h.host) ? 6 : 3);
    expect(applied.filter((h) => h.applied?.persisted !== true || h.add !== expected(h))).toEqual([]);

    expect(await savedRules('lab30')).toContain('-A DOCKER-USER -j FLEET');
    expect(await filterTable('lab30')).toMatch(/^-A FLEET -s 198\.18\.0\.10\/32 .* -j RETURN$/m);
    await expectAccess(lab.hosts[1]!.address, { 'pc-a 8080': 'open', 'pc-b 8080': 'refused' });
  }, 120_000);
});

interface HostJson {
  host: string;
  ok: boolean;
  add: number;
  error?: { step: string; message: string };
  applied?: { persisted: boolean };
}
