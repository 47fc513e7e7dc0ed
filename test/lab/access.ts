// Reaching into a running lab: a command in a host's namespaces, a command over SSH the way fleet
// connects, and a TCP connect from a client PC that tells open, refused and timed out apart.
import { run, type Result } from './exec.js';
import type { LabHost } from './info.js';
import { CLIENTS, KEY_FILE, KNOWN_HOSTS_FILE, type ClientName } from './layout.js';
import { sshdPid } from './sshd.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ExecOptions {
  input?: string;
  timeoutMs?: number;
}

/** Runs argv as root in the host's network, mount and UTS namespaces (those its sshd holds). */
export function hostExec(host: LabHost, argv: string[], options: ExecOptions = {}) {
  const enter = ['nsenter', `--target=${sshdPid(host.name)}`, '--net', '--mount', '--uts'];
  return run([...enter, 'env', `PATH=${PATH}`, ...argv], options);
}

/** Runs command (one shell command line) on the host as its login user, with OpenSSH. */
export function ssh(host: LabHost, command: string, options: ExecOptions = {}): Promise<Result> {
  return run([...sshArgv(host), command], options);
}

/** The OpenSSH command line that logs in to the host: lab key, strict host key checking. */
export function sshArgv(host: LabHost): string[] {
  return [
    'ssh', '-F', 'none', '-i', KEY_FILE, '-p', String(host.port),
    '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10',
    '-o', `UserKnownHostsFile=${KNOWN_HOSTS_FILE}`, '-o', 'StrictHostKeyChecking=yes',
    '-o', 'LogLevel=ERROR', `${host.user}@${host.address}`,
  ];
}

export type ProbeResult = 'open' | 'refused' | 'timeout';

/**
 * Connects from the client's namespace to address:port (IPv4 or IPv6) and says what happened.
 * `refused` covers a TCP reset and an ICMP port-unreachable (Linux reports both as refused).
 * Anything else (no route, say) is not a probe result but a broken lab, and throws.
 */
export async function probe(
  client: ClientName,
  address: string,
  port: number,
  { timeoutMs = 2000 }: { timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const netns = CLIENTS.find((c) => c.name === client)?.netns;
  if (netns === undefined) throw new Error(`no client ${client}`);
  const connect = 'exec 3<>"/dev/tcp/$0/$1"';
  const enter = ['nsenter', `--net=/run/netns/${netns}`];
  const result = await run([...enter, 'bash', '-c', connect, address, String(port)], { timeoutMs });
  if (result.timedOut) return 'timeout';
  if (result.code === 0) return 'open';
  if (result.stderr.includes('Connection refused')) return 'refused';
  throw new Error(`probe ${client} -> ${address}:${port}: ${result.stderr.trim()}`);
}
