// A lab of our own for the length of one measurement: the machine's lab lock held throughout, a
// lab brought up under it, and that lab taken down again whatever happens in between.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { down, LabBusy, preflight, up, type LabInfo, type UpOptions } from '../test/lab/lab.js';
import { sleep } from '../test/lab/exec.js';

/** Every engineer's lab use on this machine takes this lock first. */
const LOCK_FILE = '/run/fleet-lab.lock';
const LOCK_WAIT_SECONDS = 30 * 60;
const BUSY_WAIT_MS = 10 * 60_000;

/** Set from just before up() until down() is done: the lab is ours to take down. */
let claimed = false;

export async function withLab<T>(shape: UpOptions, fn: (lab: LabInfo) => Promise<T>): Promise<T> {
  const release = await holdLock();
  const stop = (signal: string) => void interrupted(signal);
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    const lab = await upWhenFree(shape);
    try {
      return await fn(lab);
    } finally {
      await down();
      claimed = false;
    }
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    await release();
  }
}

async function interrupted(signal: string): Promise<void> {
  console.error(`bench: ${signal}: ${claimed ? 'taking the lab down, then stopping' : 'stopping'}`);
  if (claimed) await down().catch((e: unknown) => console.error(`bench: lab down failed: ${e}`));
  process.exit(130);
}

/**
 * Takes the lock through flock(1), which holds it until its input closes: when we release it, or
 * when this process dies, however it dies.
 */
async function holdLock(): Promise<() => Promise<void>> {
  const script = 'echo held; exec cat >/dev/null';
  const child = spawn('flock', ['-w', String(LOCK_WAIT_SECONDS), LOCK_FILE, 'sh', '-c', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
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
