// Making a lab host reachable over SSH: the login user, the controller's key, each host's own
// /etc files and sshd, and the known_hosts that lets the controller verify every host key.
import { existsSync, mkdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { connect } from 'node:net';
import { daemon, must, run, waitFor } from './exec.js';
import {
  ETC_NETNS, KEY_FILE, KNOWN_HOSTS_FILE, SUDOERS_FILE, USER, USER_COMMENT,
  hostDir, hostEtcDir, hostRunDir,
} from './layout.js';
import type { LabHost } from './info.js';
import { record, recordProcess, runningRecorded } from './state.js';

export async function makeControllerKey(): Promise<void> {
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'fleet-lab', '-f', KEY_FILE]);
}

/** Creates the login user; sshd without PAM refuses a locked password, hence `*` (no password). */
export async function addUser(): Promise<void> {
  const existing = await run(['getent', 'passwd', USER]);
  if (existing.code === 0) {
    throw new Error(`user ${USER} already exists and is not the lab's; the lab needs that name`);
  }
  record({ kind: 'user', name: USER });
  await must(['useradd', '--create-home', '--shell', '/bin/bash', '--comment', USER_COMMENT, USER]);
  await must(['usermod', '-p', '*', USER]);
  record({ kind: 'path', path: SUDOERS_FILE });
  writeFileSync(SUDOERS_FILE, `${USER} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
}

/** /etc/netns itself is the lab's only when the lab had to create it. */
export function makeEtcNetns(): void {
  if (existsSync(ETC_NETNS)) return;
  record({ kind: 'path', path: ETC_NETNS });
  mkdirSync(ETC_NETNS);
}

/** The host's own /etc/{ssh,iptables,hostname,hosts} and /run, and its host key. */
export async function makeHostFiles(host: LabHost): Promise<void> {
  const etc = hostEtcDir(host.netns);
  record({ kind: 'path', path: etc });
  mkdirSync(`${etc}/iptables`, { recursive: true });
  mkdirSync(`${etc}/ssh`);
  mkdirSync(`${hostRunDir(host.name)}/sshd`, { recursive: true, mode: 0o755 });
  // The host's ssh client keeps the machine's client settings.
  for (const part of ['ssh_config', 'ssh_config.d', 'moduli']) {
    const from = `/etc/ssh/${part}`;
    if (existsSync(from)) cpSync(from, `${etc}/ssh/${part}`, { recursive: true });
  }
  writeFileSync(`${etc}/ssh/sshd_config`, sshdConfig(host));
  writeFileSync(`${etc}/ssh/authorized_keys`, readFileSync(`${KEY_FILE}.pub`));
  writeFileSync(`${etc}/hostname`, `${host.name}\n`);
  writeFileSync(`${etc}/hosts`, `127.0.0.1\tlocalhost\n127.0.1.1\t${host.name}\n::1\tlocalhost\n`);
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', host.name, '-f', hostKey(host)]);
}

function hostKey(host: LabHost): string {
  return `${hostEtcDir(host.netns)}/ssh/ssh_host_ed25519_key`;
}

function sshdConfig(host: LabHost): string {
  return [
    `ListenAddress ${host.address}:${host.port}`,
    `ListenAddress [${host.address6}]:${host.port}`,
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PidFile none',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'AuthorizedKeysFile /etc/ssh/authorized_keys',
    `AllowUsers ${USER}`,
    'PermitRootLogin no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'X11Forwarding no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

// Runs inside the mount namespace `ip netns exec` made (it has bound /etc/netns/NS/* over /etc):
// puts the host's docker over both docker paths, then the host's own /run over /run, names the
// host, and becomes its sshd.
const HOST_INIT = `set -e
run=$1 name=$2 docker=$3
for target in /usr/local/bin/docker /usr/bin/docker; do
  if [ -e "$target" ] && [ "$target" != "$docker" ]; then mount --bind "$docker" "$target"; fi
done
mount --bind "$run" /run
hostname "$name"
exec /usr/sbin/sshd -D -e`;

/** Starts the host's sshd, which holds the host's mount and UTS namespaces too; returns its pid. */
export function startSshd(host: LabHost, docker: string): number {
  const argv = [
    'ip', 'netns', 'exec', host.netns, 'unshare', '--uts',
    'sh', '-c', HOST_INIT, 'sh', hostRunDir(host.name), host.name, docker,
  ];
  const pid = daemon(argv, `${hostDir(host.name)}/sshd.log`);
  recordProcess(pid, sshdWhat(host.name));
  return pid;
}

function sshdWhat(name: string): string {
  return `sshd ${name}`;
}

/** The pid of the host's sshd, or undefined when it no longer runs. */
export function sshdRunning(name: string): number | undefined {
  return runningRecorded(sshdWhat(name));
}

export function sshdPid(name: string): number {
  const pid = sshdRunning(name);
  if (pid === undefined) throw new Error(`${name}: its sshd is not running`);
  return pid;
}

export async function waitSshd(host: LabHost, timeoutMs = 30_000): Promise<void> {
  await waitFor(`sshd on ${host.name}`, timeoutMs, () => sshBanner(host.address, host.port), 20);
}

/** True when address:port answers with an SSH banner. */
export function sshBanner(address: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', (d: Buffer) => done(d.toString('latin1').startsWith('SSH-')));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** One plain line per address of every host, with the key the host really has. */
export function writeKnownHosts(hosts: LabHost[]): void {
  const lines = hosts.flatMap((host) => {
    const [type, key] = readFileSync(`${hostKey(host)}.pub`, 'utf8').trim().split(' ');
    return [host.address, host.address6].map((a) => `${a} ${type} ${key}`);
  });
  writeFileSync(KNOWN_HOSTS_FILE, `${lines.join('\n')}\n`);
}
