// The record of everything the lab made, one JSON line per thing, appended the moment it is made
// (before, for things whose making can half-fail), so that `down` can undo exactly that even
// after a crash. Lines are appended, never rewritten: a crash loses at most the line being written.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { STATE_FILE } from './layout.js';

export type Made =
  /** The tmpfs at the lab directory. */
  | { kind: 'mount'; path: string }
  | { kind: 'netns'; name: string }
  /** A link in the root namespace (links inside lab namespaces go with them). */
  | { kind: 'link'; name: string }
  /** `start` is the process's start time in clock ticks, so a reused pid is never killed. */
  | { kind: 'process'; pid: number; start: string; what: string }
  /** A file or directory outside the lab directory, removed with everything below it. */
  | { kind: 'path'; path: string }
  | { kind: 'user'; name: string };

export function record(made: Made): void {
  appendFileSync(STATE_FILE, `${JSON.stringify(made)}\n`);
}

/** Everything recorded, in the order it was made; empty when there is no record. */
export function recorded(): Made[] {
  if (!existsSync(STATE_FILE)) return [];
  return readFileSync(STATE_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Made];
      } catch {
        return []; // the line a crash cut short
      }
    });
}

/** Fields 3 and on of /proc/PID/stat, or undefined when there is no such process or a zombie. */
function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields;
  } catch {
    return undefined;
  }
}

/** The process's start time (field 22), or undefined when it has ended. */
export function processStart(pid: number): string | undefined {
  return stat(pid)?.[19];
}

export function isRunning(pid: number): boolean {
  return stat(pid) !== undefined;
}

/** Records a process just started; one that already ended needs no undoing. */
export function recordProcess(pid: number, what: string): void {
  const start = processStart(pid);
  if (start !== undefined) record({ kind: 'process', pid, start, what });
}

/** The pid of the latest recorded process `what` while it still runs. */
export function runningRecorded(what: string): number | undefined {
  const found = recorded().filter((m) => m.kind === 'process' && m.what === what).at(-1);
  return found?.kind === 'process' && stillRunning(found) ? found.pid : undefined;
}

/** True while the recorded process is still the same process. */
export function stillRunning(made: { pid: number; start: string }): boolean {
  const start = processStart(made.pid);
  return start !== undefined && start === made.start;
}
