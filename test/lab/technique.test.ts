// The acceptance: the DOCKER-USER technique, done by hand over SSH on a real Docker 20.10
// host, limits one published port to one client, leaves the other port open, and survives a
// reboot once saved with netfilter-persistent.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hostExec, probe, reboot, ssh, type LabHost } from './lab.js';

const lab = inject('lab');
const host = lab.hosts.find((h) => h.name === 'lab1' && h.kind === 'docker') as LabHost;
const pcA = lab.clients.find((c) => c.name === 'pc-a')?.address ?? '';

const RULES = [
  `-s ${pcA} -p tcp --dport 80 -m conntrack --ctorigdstport 8080 -j RETURN`,
  '-p tcp --dport 80 -m conntrack --ctorigdstport 8080 -j REJECT',
];

/** The chain as `iptables -S` prints it once the two rules are in. */
const MATCH = '-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080';
const WITH_RULES = [
  '-N DOCKER-USER',
  `-A DOCKER-USER -s ${pcA}/32 ${MATCH} -j RETURN`,
  `-A DOCKER-USER ${MATCH} -j REJECT --reject-with icmp-port-unreachable`,
  '-A DOCKER-USER -j RETURN',
  '',
].join('\n');

const EXPECTED = {
  'pc-a 8080': 'open', 'pc-a 8081': 'open', 'pc-b 8080': 'refused', 'pc-b 8081': 'open',
};

async function sudo(command: string): Promise<string> {
  const result = await ssh(host.name, `sudo -n ${command}`);
  if (result.code !== 0) throw new Error(`${host.name}: sudo ${command}: ${result.stderr}`);
  return result.stdout;
}

async function fourProbes(address = host.address): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const client of ['pc-a', 'pc-b'] as const) {
    for (const port of [8080, 8081]) seen[`${client} ${port}`] = await probe(client, address, port);
  }
  return seen;
}

/** The host's saved rules as they were, so that they can be put back for the other tests. */
const saved = new Map<string, string | undefined>();
const SAVED_FILES = ['/etc/iptables/rules.v4', '/etc/iptables/rules.v6'];

beforeAll(async () => {
  for (const file of SAVED_FILES) {
    const read = await hostExec(host.name, ['cat', file]);
    saved.set(file, read.code === 0 ? read.stdout : undefined);
  }
});

afterAll(async () => {
  for (const rule of RULES) await ssh(host.name, `sudo -n iptables -D DOCKER-USER ${rule}`);
  for (const [file, text] of saved) {
    if (text === undefined) await hostExec(host.name, ['rm', '-f', file]);
    else await hostExec(host.name, ['sh', '-c', 'cat > "$1"', 'sh', file], { input: text });
  }
});

describe('DOCKER-USER on Docker 20.10 (lab1), by hand over SSH', () => {
  it('starts with every port open to everyone', async () => {
    expect(await fourProbes()).toEqual({ ...EXPECTED, 'pc-b 8080': 'open' });
  });

  it('takes the two rules above its final RETURN', async () => {
    await sudo(`iptables -I DOCKER-USER 1 ${RULES[0]}`);
    await sudo(`iptables -I DOCKER-USER 2 ${RULES[1]}`);
    expect(await sudo('iptables -S DOCKER-USER')).toBe(WITH_RULES);
  });

  it('then lets pc-a reach both ports and refuses pc-b on 8080 only', async () => {
    expect(await fourProbes()).toEqual(EXPECTED);
  });

  it('keeps the same answers after netfilter-persistent save and a reboot', async () => {
    await sudo('netfilter-persistent save');
    expect(await sudo('cat /etc/iptables/rules.v4')).toContain(`-A DOCKER-USER -s ${pcA}/32`);
    await reboot(host.name);
    expect(await fourProbes()).toEqual(EXPECTED);
  });

  it('has no rule twice after the reboot: Docker 20.10 keeps the restored chain', async () => {
    expect(await sudo('iptables -S DOCKER-USER')).toBe(WITH_RULES);
    const forward = (await sudo('iptables -S FORWARD')).split('\n');
    expect(forward[1]).toBe('-A FORWARD -j DOCKER-USER');
    expect(forward.filter((line) => line === '-A FORWARD -j DOCKER-USER')).toHaveLength(1);
    expect(new Set(forward).size).toBe(forward.length);
  });

  // Docker 20.10 leaves IPv6 off: docker-proxy listens on [::] and forwards over IPv4 from the host
  // itself, so IPv6 clients pass INPUT, never FORWARD, and DOCKER-USER does not apply to them.
  it('does not limit IPv6 clients, which reach the port through docker-proxy', async () => {
    expect(await fourProbes(host.address6)).toEqual({ ...EXPECTED, 'pc-b 8080': 'open' });
  });
});
