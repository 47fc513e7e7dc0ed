// A reboot as a host's firewall sees one: Docker goes down, every netfilter rule, bridge and
// connection is forgotten, netfilter-persistent restores the host's saved rules as boot does,
// then Docker starts again and brings its containers back. sshd keeps running throughout.
import { hostExec } from './access.js';
import { startDockerd, stopDockerd, waitContainers, waitDockerd } from './docker.js';
import type { LabHost } from './info.js';
import { loadStandinRules } from './standin.js';

export async function rebootHost(host: LabHost, index: number): Promise<void> {
  if (host.kind === 'docker') await stopDockerd(host);
  await forgetNetwork(host);
  await inHost(host, ['netfilter-persistent', 'start']);
  if (host.kind === 'docker') {
    startDockerd(host, index);
    await waitDockerd(host);
    await waitContainers(host);
  } else {
    await bootStandin(host);
  }
}

const BUILTIN_CHAINS: Record<string, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

// Bridges are what Docker made (eth0 is a veth); a fresh boot has none of them.
const FORGET = `set -e
for link in $(ip -o link show type bridge | cut -d: -f2 | cut -d@ -f1); do
  ip link delete "$link"
done
nft flush ruleset
conntrack -F >/dev/null 2>&1 || true
conntrack -F -f ipv6 >/dev/null 2>&1 || true
sysctl -qw net.ipv4.ip_forward=0`;

const LEGACY = [
  ['iptables-legacy-restore', 'ip_tables_names'],
  ['ip6tables-legacy-restore', 'ip6_tables_names'],
] as const;

async function forgetNetwork(host: LabHost): Promise<void> {
  await inHost(host, ['sh', '-c', FORGET]);
  // Legacy (x_tables) tables exist only once something used them; nft flush does not reach them.
  for (const [restore, names] of LEGACY) {
    const listed = await hostExec(host, ['cat', `/proc/net/${names}`]);
    const tables = listed.code === 0 ? listed.stdout.split('\n').filter(Boolean) : [];
    if (tables.length > 0) await inHost(host, [restore], { input: emptyTables(tables) });
  }
}

/** iptables-restore input that leaves each table with no rules and every policy ACCEPT. */
function emptyTables(tables: string[]): string {
  return tables
    .map((t) => [`*${t}`, ...(BUILTIN_CHAINS[t] ?? []).map((c) => `:${c} ACCEPT [0:0]`), 'COMMIT'])
    .flat()
    .join('\n')
    .concat('\n');
}

/** A stand-in has no Docker to recreate its chains; the captured layout comes back if missing. */
async function bootStandin(host: LabHost): Promise<void> {
  const chain = await hostExec(host, ['iptables', '-S', 'DOCKER-USER']);
  if (chain.code !== 0) await loadStandinRules(host);
}

async function inHost(host: LabHost, argv: string[], options: { input?: string } = {}) {
  const result = await hostExec(host, argv, options);
  if (result.code !== 0) {
    const why = `exit ${result.code}: ${result.stderr.trim()}`;
    throw new Error(`${host.name}: ${argv.join(' ')}: ${why}`);
  }
  return result.stdout;
}
