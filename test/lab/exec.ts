// Running local programs for the lab: wait for a result, insist on success, start a daemon that
// outlives this process, and do many things at once without starting them all at once.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface Result {
  stdout: string;
  stderr: string;
  /** Exit code, or null when the program was killed by a signal (see `timedOut`). */
  code: number | null;
  timedOut: boolean;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

/** Runs argv (no shell) and resolves with its output, whatever the exit code. */
export function run(argv: string[], options: RunOptions = {}): Promise<Result> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('run: empty argv');
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(file, args, { cwd: options.cwd ?? '/', stdio: [stdin, 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: text(out), stderr: text(err), code, timedOut });
    });
    // A program may exit without reading its input; that is its answer, not an error here.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}

/** Like run, but a non-zero exit is an error that names the command and quotes its stderr. */
export async function must(argv: string[], options: RunOptions = {}): Promise<string> {
  const result = await run(argv, options);
  if (result.code !== 0) {
    const why = result.timedOut ? 'timed out' : `exit ${result.code}`;
    throw new Error(`${argv.join(' ')}: ${why}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

/** Starts argv in its own session with output to logFile, and returns its pid at once. */
export function daemon(argv: string[], logFile: string): number {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('daemon: empty argv');
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { cwd: '/', detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`${file}: could not start`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Calls fn on every item, at most `limit` at a time; fails with the first error after all ran. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index).catch((e: unknown) => errors.push(e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls check until it returns true, or fails with `what` after timeoutMs. */
export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean> | boolean,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what} in vain`);
    await sleep(everyMs);
  }
}

function text(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8');
}
