// Undoing the lab: everything the record says was made, plus a sweep for what a crash may have
// left unrecorded (namespaces named fl-*, /etc/netns/fl-*, the lab's cgroups, the lab's user).
// Processes are ended by pid: the recorded ones, those in a lab namespace, those in a lab cgroup.
// Safe to run twice, and with no lab at all.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { eachLimited, must, run, sleep } from './exec.js';
import {
  CGROUP_ROOT, CONTROLLER_LINK, ETC_NETNS, LAB_DIR, PREFIX, SUDOERS_FILE, USER, USER_COMMENT,
} from './layout.js';
import { isRunning, recorded, stillRunning, type Made } from './state.js';

export interface Removed {
  processes: number;
  mounts: number;
  netns: string[];
  paths: string[];
  users: string[];
}

export async function teardown(): Promise<Removed> {
  const made = recorded();
  const processes = await endProcesses(made);
  const mounts = await unmountBelow(LAB_DIR);
  const netns = await deleteNamespaces(made);
  await unmountEmptied(made);
  await deleteLinks(made);
  removeCgroups();
  const users = await removeUsers(made);
  await unmountLabDir();
  // Last, since umount itself makes /run/mount when it is missing.
  const paths = removePaths(made);
  return { processes, mounts, netns, paths, users };
}

// ---------------------------------------------------------------- processes

/** Asks the recorded processes to stop (dockerd stops its containers), then kills what is left. */
async function endProcesses(made: Made[]): Promise<number> {
  const mine = made.flatMap((m) => (m.kind === 'process' && stillRunning(m) ? [m.pid] : []));
  signal(mine, 'SIGTERM');
  await waitGone(mine, 15_000);
  const left = [...new Set([...mine, ...(await namespacePids()), ...cgroupPids()])];
  const running = left.filter(isRunning);
  signal(running, 'SIGKILL');
  await waitGone(running, 10_000);
  return new Set([...mine, ...running]).size;
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isRunning) && Date.now() < deadline) await sleep(50);
}

async function labNamespaces(): Promise<string[]> {
  const listed = await run(['ip', 'netns', 'list']);
  return listed.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
}

async function namespacePids(): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await labNamespaces()) {
    const listed = await run(['ip', 'netns', 'pids', name]);
    pids.push(...listed.stdout.split('\n').filter(Boolean).map(Number));
  }
  return pids;
}

/** Container processes live in their own namespaces, but in the lab's cgroups. */
function cgroupPids(): number[] {
  return labCgroups().flatMap((dir) => {
    try {
      return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

// ---------------------------------------------------------------- mounts, namespaces, links

/** Every mount point strictly below dir, innermost (latest) first. */
function mountsBelow(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => unescapeMount(line.split(' ')[4] ?? ''))
    .filter((point) => point.startsWith(`${dir}/`));
  return [...new Set(points.reverse())];
}

function unescapeMount(field: string): string {
  const char = (_: string, octal: string) => String.fromCharCode(parseInt(octal, 8));
  return field.replace(/\\([0-7]{3})/g, char);
}

async function unmountBelow(dir: string): Promise<number> {
  const points = mountsBelow(dir);
  for (const point of points) {
    const done = await run(['umount', point]);
    if (done.code !== 0) await run(['umount', '-l', point]);
  }
  return points.length;
}

async function unmountLabDir(): Promise<void> {
  if (!existsSync(LAB_DIR)) return;
  if (isMountPoint(LAB_DIR)) await must(['umount', LAB_DIR]);
  rmSync(LAB_DIR, { recursive: true, force: true });
}

/** Mounts the lab made outside its directory (`ip netns add` mounts /run/netns), once empty. */
async function unmountEmptied(made: Made[]): Promise<void> {
  for (const m of made) {
    if (m.kind !== 'mount' || m.path === LAB_DIR || !existsSync(m.path)) continue;
    if (readdirSync(m.path).length === 0 && isMountPoint(m.path)) await must(['umount', m.path]);
  }
}

export function isMountPoint(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => unescapeMount(line.split(' ')[4] ?? '') === path);
}

async function deleteNamespaces(made: Made[]): Promise<string[]> {
  const names = new Set([
    ...made.flatMap((m) => (m.kind === 'netns' ? [m.name] : [])),
    ...(await labNamespaces()),
  ]);
  const present = new Set(await labNamespaces());
  const deleted = [...names].filter((name) => present.has(name));
  await eachLimited(deleted, 8, async (name) => {
    await must(['ip', 'netns', 'delete', name]);
  });
  return deleted;
}

async function deleteLinks(made: Made[]): Promise<void> {
  const recordedLinks = made.flatMap((m) => (m.kind === 'link' ? [m.name] : []));
  const names = new Set([CONTROLLER_LINK, ...recordedLinks]);
  for (const name of names) {
    if (existsSync(`/sys/class/net/${name}`)) await run(['ip', 'link', 'delete', name]);
  }
}

// ---------------------------------------------------------------- cgroups, files, users

/** The lab's cgroup directories in every hierarchy, deepest first. */
function labCgroups(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
    }
    found.push(dir);
  };
  for (const hierarchy of cgroupHierarchies()) {
    const root = `${hierarchy}/${CGROUP_ROOT}`;
    if (existsSync(root)) walk(root);
  }
  return found;
}

function cgroupHierarchies(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => / - cgroup2? /.test(line))
    .map((line) => line.split(' ')[4] ?? '');
}

function removeCgroups(): void {
  for (const dir of labCgroups()) rmdirSync(dir);
}

/** Recorded paths, latest first, and the lab's by name; a recorded /etc/netns once empty. */
function removePaths(made: Made[]): string[] {
  const recordedPaths = made.flatMap((m) => (m.kind === 'path' ? [m.path] : [])).reverse();
  const hostEtc = existsSync(ETC_NETNS)
    ? readdirSync(ETC_NETNS).filter((n) => n.startsWith(PREFIX)).map((n) => `${ETC_NETNS}/${n}`)
    : [];
  const swept = [...hostEtc, SUDOERS_FILE, ...recordedPaths];
  const removed: string[] = [];
  for (const path of new Set(swept)) {
    if (!existsSync(path)) continue;
    if (path === ETC_NETNS && readdirSync(path).length > 0) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** The recorded user, or a user with the lab's comment (a crash before the record was read). */
async function removeUsers(made: Made[]): Promise<string[]> {
  const found = await run(['getent', 'passwd', USER]);
  const isLabs = found.stdout.split(':')[4] === USER_COMMENT;
  const wasRecorded = made.some((m) => m.kind === 'user' && m.name === USER);
  if (found.code !== 0 || !(isLabs || wasRecorded)) return [];
  await must(['userdel', '--remove', USER]);
  return [USER];
}
