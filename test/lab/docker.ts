// A real dockerd 20.10 on a docker host, with the lab's image and its two containers.
//
// dockerd runs in the host's network and UTS namespaces but the machine's mount namespace
// (`ip netns exec` would remount /sys and hide the cgroup mounts). Its socket is the file the
// host sees as /run/docker.sock, so `sudo docker` on the host just works. With no system
// containerd at /run/containerd/containerd.sock, dockerd 20.10 starts a containerd of its own
// (socket below its exec root), so every docker host has its own containerd.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { daemon, must, run, sleep, waitFor } from './exec.js';
import {
  DOCKER_BIN, IMAGE, IMAGE_TAR, LAB_DIR, cgroupParent, dockerBridge, dockerSocket, hostDir,
} from './layout.js';
import type { LabHost } from './info.js';
import { isRunning, recordProcess, runningRecorded } from './state.js';
import { sshdPid } from './sshd.js';

/** The containers of every docker host (and what a stand-in pretends to run). */
export const LAB_CONTAINERS = [
  { name: 'nginx1', hostPort: 8080 },
  { name: 'nginx2', hostPort: 8081 },
] as const;

export const SYSTEM_CONTAINERD = '/run/containerd/containerd.sock';

/** Fails when a system containerd runs: every lab dockerd would share it instead of its own. */
export function checkNoSystemContainerd(): void {
  if (existsSync(SYSTEM_CONTAINERD)) {
    throw new Error(`${SYSTEM_CONTAINERD} exists: lab dockerds would all use that containerd`);
  }
}

/** Docker (`docker run` or the API) on the host, from the machine. */
export function docker(host: LabHost, args: string[]): Promise<string> {
  return must([DOCKER_BIN, '-H', `unix://${dockerSocket(host.name)}`, ...args]);
}

export function dockerdPidFile(name: string): string {
  return `${hostDir(name)}/dockerd.pid`;
}

export function startDockerd(host: LabHost, index: number): number {
  const dir = hostDir(host.name);
  mkdirSync(`${dir}/docker-data`, { recursive: true });
  const argv = [
    'nsenter', `--net=/run/netns/${host.netns}`, `--uts=/proc/${sshdPid(host.name)}/ns/uts`,
    '/usr/sbin/dockerd',
    '-H', `unix://${dockerSocket(host.name)}`,
    '--data-root', `${dir}/docker-data`,
    '--exec-root', `${dir}/docker-exec`,
    '--pidfile', dockerdPidFile(host.name),
    '--bip', dockerBridge(index),
    '--default-address-pool', 'base=198.19.128.0/17,size=24',
    '--cgroup-parent', cgroupParent(host.name),
  ];
  const pid = daemon(argv, `${dir}/dockerd.log`);
  recordProcess(pid, dockerdWhat(host));
  return pid;
}

export async function waitDockerd(host: LabHost, timeoutMs = 60_000): Promise<void> {
  await waitFor(`dockerd on ${host.name}`, timeoutMs, () => ping(dockerSocket(host.name)));
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** A tarball of Debian's static busybox and one web page: the whole image. */
export async function makeImageTar(): Promise<void> {
  const root = `${LAB_DIR}/image`;
  mkdirSync(`${root}/bin`, { recursive: true });
  mkdirSync(`${root}/www`, { recursive: true });
  await must(['cp', '/bin/busybox', `${root}/bin/busybox`]);
  await must(['sh', '-c', 'echo "<h1>fleet lab</h1>" > "$1"/www/index.html', 'sh', root]);
  await must(['tar', '-C', root, '-cf', IMAGE_TAR, '.']);
  rmSync(root, { recursive: true });
}

export async function addContainers(host: LabHost): Promise<void> {
  await docker(host, ['import', IMAGE_TAR, IMAGE]);
  for (const { name, hostPort } of LAB_CONTAINERS) {
    await docker(host, [
      'run', '-d', '--init', '--name', name, '-p', `${hostPort}:80`, '--restart', 'unless-stopped',
      IMAGE, '/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/www',
    ]);
  }
}

/** Waits until every lab container runs (after a reboot, restart policies bring them back). */
export async function waitContainers(host: LabHost, timeoutMs = 60_000): Promise<void> {
  const names = LAB_CONTAINERS.map((c) => c.name);
  const running = async () => {
    const r = await run([DOCKER_BIN, '-H', `unix://${dockerSocket(host.name)}`,
      'inspect', '--format', '{{.State.Running}}', ...names]);
    return r.code === 0 && r.stdout.trim().split('\n').every((line) => line === 'true');
  };
  await waitFor(`the containers of ${host.name}`, timeoutMs, running, 100);
}

/** Stops dockerd the way a shutdown does (it stops the containers), and waits until it is gone. */
export async function stopDockerd(host: LabHost, timeoutMs = 30_000): Promise<void> {
  const pid = runningRecorded(dockerdWhat(host));
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  while (isRunning(pid)) await sleep(50);
}

function dockerdWhat(host: LabHost): string {
  return `dockerd ${host.name}`;
}

export function dockerdRunning(host: LabHost): boolean {
  return runningRecorded(dockerdWhat(host)) !== undefined;
}
