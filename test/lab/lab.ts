// The lab: real simulated hosts on this machine, each a network namespace with its own sshd,
// iptables and /etc, the first few with a real dockerd 20.10, the rest stand-ins; two client PCs;
// all on one switch with the controller (this machine's root namespace). README "The lab".
//
//   const lab = await up({ hosts: 3, dockerHosts: 2 });
//   await probe('pc-a', lab.hosts[0].address, 8080);   // 'open' | 'refused' | 'timeout'
//   await down();
import { existsSync, mkdirSync } from 'node:fs';
import { hostExec as execIn, probe, ssh as sshTo, type ExecOptions } from './access.js';
import {
  addContainers, checkNoSystemContainerd, dockerdRunning, makeImageTar, startDockerd, waitDockerd,
} from './docker.js';
import { eachLimited, must, type Result } from './exec.js';
import { labInfo, readInfo, writeInfo, type LabHost, type LabInfo } from './info.js';
import {
  CLIENTS, DOCKER_BIN, LAB_DIR, MAX_DOCKER_HOSTS, MAX_HOSTS, SWITCH_NETNS, switchPort,
} from './layout.js';
import { addNode, addSwitch } from './net.js';
import { checkPrerequisites } from './prerequisites.js';
import { rebootHost } from './reboot.js';
import {
  addUser, makeControllerKey, makeEtcNetns, makeHostFiles, sshdRunning, startSshd, waitSshd,
  writeKnownHosts,
} from './sshd.js';
import { loadStandinRules, writeStandinDocker } from './standin.js';
import { record } from './state.js';
import { isMountPoint, teardown, type Removed } from './teardown.js';

const NETNS_DIR = '/run/netns';

export type { LabClient, LabHost, LabInfo } from './info.js';
export type { ProbeResult } from './access.js';
export type { Removed } from './teardown.js';
export { probe };

export interface UpOptions {
  /** How many hosts (default 3). */
  hosts?: number;
  /** How many of them, from lab1 on, run a real dockerd (default 2). */
  dockerHosts?: number;
  /** How many hosts are set up at once (default 16). */
  parallel?: number;
}

/** Paths outside the lab directory that dockerd, containerd, iptables or mount make if missing. */
const SIDE_EFFECT_PATHS = [
  '/etc/docker', '/opt/containerd', '/run/containerd', '/run/docker',
  '/run/xtables.lock', '/run/mount',
];

/** Another lab is up on this machine (there is one lab per machine), or a crashed one's remains. */
export class LabBusy extends Error {
  constructor() {
    super('a lab is up, or a crashed one left things behind: run `npm run lab -- down`');
    this.name = 'LabBusy';
  }
}

/** Refuses early, before anything is made, when the lab cannot come up here. */
export function preflight(options: UpOptions = {}): void {
  const { hosts, dockerHosts } = counts(options);
  checkCounts(hosts, dockerHosts);
  checkPrerequisites({ docker: dockerHosts > 0 });
  if (dockerHosts > 0) checkNoSystemContainerd();
  if (existsSync(LAB_DIR) || existsSync(`/run/netns/${SWITCH_NETNS}`)) throw new LabBusy();
}

function counts(options: UpOptions): { hosts: number; dockerHosts: number } {
  const hosts = options.hosts ?? 3;
  return { hosts, dockerHosts: Math.min(options.dockerHosts ?? 2, hosts) };
}

/** Brings up a lab and returns what it looks like (also in /run/fleet-lab/lab.json). */
export async function up(options: UpOptions = {}): Promise<LabInfo> {
  preflight(options);
  const { hosts, dockerHosts } = counts(options);
  const info = labInfo(hosts, dockerHosts);
  const absent = SIDE_EFFECT_PATHS.filter((path) => !existsSync(path));
  const netnsMounted = isMountPoint(NETNS_DIR);
  await makeLabDir();
  for (const path of absent) record({ kind: 'path', path });
  if (!netnsMounted) record({ kind: 'mount', path: NETNS_DIR });
  await makeShared(dockerHosts > 0);
  await eachLimited(CLIENTS, 2, (c) => addNode(c.netns, c.name, c.address, c.address6));
  await eachLimited(info.hosts, options.parallel ?? 16, (host, k) => addHost(host, k + 1));
  writeKnownHosts(info.hosts);
  writeInfo(info);
  return info;
}

function checkCounts(hosts: number, dockerHosts: number): void {
  if (!Number.isInteger(hosts) || hosts < 1 || hosts > MAX_HOSTS) {
    throw new Error(`hosts: ${hosts} is not a whole number from 1 to ${MAX_HOSTS}`);
  }
  if (!Number.isInteger(dockerHosts) || dockerHosts < 0 || dockerHosts > MAX_DOCKER_HOSTS) {
    throw new Error(`dockerHosts: ${dockerHosts} is not a whole number, 0 to ${MAX_DOCKER_HOSTS}`);
  }
}

/**
 * The lab directory is a tmpfs of its own, shared so that unmounts reach the hosts' copies.
 * Making the directory is what claims the machine: of two labs starting at once, one gets EEXIST.
 */
async function makeLabDir(): Promise<void> {
  try {
    mkdirSync(LAB_DIR);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'EEXIST' ? new LabBusy() : e;
  }
  await must(['mount', '-t', 'tmpfs', '-o', 'mode=0755,size=4g', 'fleet-lab', LAB_DIR]);
  record({ kind: 'mount', path: LAB_DIR });
  await must(['mount', '--make-rshared', LAB_DIR]);
}

/** What all hosts share: the network, the login user and key, and the docker image. */
async function makeShared(docker: boolean): Promise<void> {
  await makeControllerKey();
  await addUser();
  makeEtcNetns();
  await addSwitch();
  if (docker) await makeImageTar();
}

async function addHost(host: LabHost, index: number): Promise<void> {
  await addNode(host.netns, switchPort(index), host.address, host.address6);
  await makeHostFiles(host);
  const docker = host.kind === 'docker' ? DOCKER_BIN : writeStandinDocker(host);
  if (host.kind === 'standin') await loadStandinRules(host);
  startSshd(host, docker);
  await waitSshd(host);
  if (host.kind === 'docker') {
    startDockerd(host, index);
    await waitDockerd(host);
    await addContainers(host);
  }
}

/** Undoes everything the lab made (see teardown.ts); safe to run twice and after a crash. */
export async function down(): Promise<Removed> {
  return teardown();
}

/** The running lab, or undefined. */
export function current(): LabInfo | undefined {
  return readInfo();
}

function findHost(name: string): { host: LabHost; index: number } {
  const info = readInfo();
  if (!info) throw new Error('no lab is up: run `npm run lab -- up`');
  const index = info.hosts.findIndex((h) => h.name === name);
  const host = info.hosts[index];
  if (!host) throw new Error(`no lab host ${name} (the lab has lab1 to lab${info.hosts.length})`);
  return { host, index: index + 1 };
}

/** Runs argv as root inside the host's namespaces; resolves whatever the exit code. */
export function hostExec(name: string, argv: string[], options?: ExecOptions): Promise<Result> {
  return execIn(findHost(name).host, argv, options);
}

/** Runs a command line on the host over SSH as its login user, with the lab key. */
export function ssh(name: string, command: string, options?: ExecOptions): Promise<Result> {
  return sshTo(findHost(name).host, command, options);
}

/** Reboots the host as its firewall sees it (reboot.ts); resolves once its containers run. */
export async function reboot(name: string): Promise<void> {
  const { host, index } = findHost(name);
  await rebootHost(host, index);
}

export interface HostStatus {
  name: string;
  kind: LabHost['kind'];
  sshd: boolean;
  dockerd: boolean | null;
}

/** Whether each host's sshd (and dockerd) still runs; undefined when no lab is up. */
export function status(): HostStatus[] | undefined {
  const info = readInfo();
  if (!info) return undefined;
  return info.hosts.map((h) => ({
    name: h.name,
    kind: h.kind,
    sshd: sshdRunning(h.name) !== undefined,
    dockerd: h.kind === 'docker' ? dockerdRunning(h) : null,
  }));
}
