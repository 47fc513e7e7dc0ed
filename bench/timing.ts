// Running one controller command the way a user would, as its own process, and measuring it:
// wall time; CPU and peak RSS of its largest process as GNU time reports them (from wait4, so the
// whole tree of processes it waited for); the peak sum of RSS over its process tree, sampled from
// /proc; and the CPU the whole machine spent meanwhile (/proc/stat), which in the lab includes
// every sshd and remote command, since the hosts run on this machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  seconds: number;
  /** CPU seconds of the controller's process tree (GNU time %U + %S). */
  controllerCpu: number;
  /** Largest single process of the tree, MB (GNU time %M). */
  largestMb: number;
  /** Sum over the tree at its sampled peak, MB; shared pages count once per process. */
  treeMb: number;
  /** CPU seconds of the whole machine while the command ran. */
  machineCpu: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TimedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

const SAMPLE_EVERY_MS = 200;
const PAGE_BYTES = 4096;
export const TICKS_PER_SECOND = 100;

/** Process groups of the commands running now, by the pid of their leader. */
const running = new Set<number>();

/** Kills what timed() started and still runs, each by its own process group. */
export function killRunning(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
}

/** Runs argv under /usr/bin/time; a command still running after timeoutMs is killed (group). */
export function timed(argv: string[], options: TimedOptions): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-time-'));
  const usageFile = join(dir, 'usage');
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', usageFile, ...argv], {
    cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cpuBefore = machineTicks();
  const started = performance.now();
  let treeKb = 0;
  const sample = () => (treeKb = Math.max(treeKb, treeRssKb(child.pid)));
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  if (child.pid) running.add(child.pid);
  const kill = () => child.pid && process.kill(-child.pid, 'SIGKILL');
  const killer = setTimeout(kill, options.timeoutMs);
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (child.pid) running.delete(child.pid);
      clearInterval(sampler);
      clearTimeout(killer);
      const machineCpu = (machineTicks() - cpuBefore) / TICKS_PER_SECOND;
      const [largestKb = NaN, user = NaN, system = NaN] = usage(usageFile);
      rmSync(dir, { recursive: true, force: true });
      resolve({
        seconds, machineCpu, controllerCpu: user + system, largestMb: largestKb / 1024,
        treeMb: treeKb / 1024, code, stdout: out(), stderr: err(),
      });
    });
  });
}

function collect(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

/** GNU time's line, after "Command exited with non-zero status N" when the command failed. */
function usage(file: string): number[] {
  try {
    return (readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  } catch {
    return []; // killed along with the command
  }
}

/** RSS summed over every descendant of pid (not pid itself, which is /usr/bin/time). */
function treeRssKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  return childrenOf(pid).reduce((sum, child) => sum + rssKb(child) + treeRssKb(child), 0);
}

function childrenOf(pid: number): number[] {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    const children = (task: string) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    return tasks.flatMap((task) => children(task).split(' ').filter(Boolean).map(Number));
  } catch {
    return []; // it exited meanwhile
  }
}

function rssKb(pid: number): number {
  try {
    const resident = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return (resident * PAGE_BYTES) / 1024;
  } catch {
    return 0;
  }
}

/** Busy CPU ticks of the machine so far: /proc/stat's cpu line less idle and iowait. */
export function machineTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq + steal;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
