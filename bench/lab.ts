// A lab of our own for the length of one measurement: the machine's lab lock held throughout, a
// lab brought up under it, and that lab taken down again whatever happens in between.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { down, LabBusy, preflight, up, type LabInfo, type UpOptions } from '../test/lab/lab.js';
import { sleep } from '../test/lab/exec.js';
import { killRunning } from './timing.js';

/** Every engineer's lab use on this machine takes this lock first. */
const LOCK_FILE = '/run/fleet-lab.lock';
const LOCK_WAIT_SECONDS = 30 * 60;
const BUSY_WAIT_MS = 10 * 60_000;

/** Set from just before up() until down() is done: the lab is ours to take down. */
let claimed = false;
/** The one teardown under way, which an interruption and the normal end both wait for. */
let tearingDown: Promise<unknown> | undefined;
let interrupting = false;

export async function withLab<T>(shape: UpOptions, fn: (lab: LabInfo) => Promise<T>): Promise<T> {
  const release = await holdLock();
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  try {
    const lab = await upWhenFree(shape);
    try {
      return await fn(lab);
    } finally {
      await labDown();
      claimed = false;
      tearingDown = undefined;
    }
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await release();
  }
}

function labDown(): Promise<unknown> {
  tearingDown ??= down();
  return tearingDown;
}

/**
 * Ctrl-C or kill: stop what runs, take the lab down, exit. The handler stays installed, so that
 * a second signal (tsx passes the first one on to us again) cannot end us halfway through.
 */
function interrupted(signal: NodeJS.Signals): void {
  if (interrupting) return;
  interrupting = true;
  console.error(`bench: ${signal}: ${claimed ? 'taking the lab down, then stopping' : 'stopping'}`);
  killRunning();
  const done = claimed ? labDown() : Promise.resolve();
  void done
    .catch((e: unknown) => console.error(`bench: lab down failed: ${String(e)}`))
    .finally(() => process.exit(130));
}

/**
 * Takes the lock through flock(1), which holds it until its input closes: when we release it, or
 * when this process dies, however it dies. It runs in a process group of its own, so that a Ctrl-C
 * reaches only us and the lock is held until the lab is down.
 */
async function holdLock(): Promise<() => Promise<void>> {
  const script = 'echo held; exec cat >/dev/null';
  const child = spawn('flock', ['-w', String(LOCK_WAIT_SECONDS), LOCK_FILE, 'sh', '-c', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const held = new Promise<boolean>((resolve) => {
    createInterface({ input: child.stdout }).once('line', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  console.error(`bench: waiting for ${LOCK_FILE} (another engineer may be using the lab)`);
  if (!(await held)) throw new Error(`could not take ${LOCK_FILE} within ${LOCK_WAIT_SECONDS} s`);
  return async () => {
    child.stdin.end();
    await exited;
  };
}

/** A lab that is up without the lock (a test run's, say) is waited for, never torn down. */
async function upWhenFree(shape: UpOptions): Promise<LabInfo> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (;;) {
    try {
      preflight(shape);
      return await upOrUndo(shape);
    } catch (error) {
      if (!(error instanceof LabBusy) || Date.now() > deadline) throw error;
      await sleep(2000);
    }
  }
}

async function upOrUndo(shape: UpOptions): Promise<LabInfo> {
  claimed = true;
  try {
    return await up(shape);
  } catch (error) {
    if (!(error instanceof LabBusy)) await down();
    claimed = false;
    throw error;
  }
}
