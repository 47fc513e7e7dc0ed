// One round of the benchmark, on a fresh lab: an untimed warm-up, then every tool and step once,
// timed, and between fleet's steps and Ansible's an untimed fleet clear, so that Ansible finds the
// hosts as fresh as fleet did and both first applies change every host.
import type { LabInfo } from '../test/lab/lab.js';
import type { Sample } from './timing.js';
import {
  ansible, BARE_READS, fleet, FLEET_KEX, pssh, sshLoop, stopControlMasters, type Files,
} from './tools.js';
import { shCommand } from '../src/remote/shell.js';

export interface Step {
  tool: string;
  step: string;
  /** The fleet step this one is compared with: its `step`. */
  versus: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /** Why the run does not count (it failed, or did not do the work), or undefined. */
  check: (sample: Sample) => string | undefined;
  /** Run untimed right after, e.g. to end what the tool left running. */
  after?: string[];
}

/** Run between steps and not timed: a warm-up, or putting the hosts back. */
export interface Untimed {
  untimed: string;
  argv: string[];
}

export type Action = Step | Untimed;

export const DIFF = 'diff / reads (in sync)';
export const FIRST = 'apply, first (2 rules, persisted)';
export const SECOND = 'apply, second (no-op)';

export interface Context {
  lab: LabInfo;
  files: Files;
  /** The built fleet CLI. */
  cli: string;
  /** bare-reads.ts, built: fleet's transport doing what parallel-ssh does. */
  bareReads: string;
}

export function round(c: Context): Action[] {
  const reads = shCommand(BARE_READS, true);
  const applied = (hosts: HostJson[]) => hosts.every((h) => h.applied?.persisted);
  const untouched = (hosts: HostJson[]) => hosts.every((h) => !h.applied);
  return [
    // The lab has just come up: every host's sshd, sudo and docker answer once before timing.
    { untimed: 'warm-up: the bare reads on every host', argv: pssh(c.lab, c.files, reads) },
    fleetStep(c, FIRST, ['apply', '--yes'], applied),
    fleetStep(c, SECOND, ['apply', '--yes'], untouched),
    fleetStep(c, DIFF, ['diff'], untouched),
    openSsh('parallel-ssh', 'reads, default kex (sntrup761x25519)', pssh(c.lab, c.files, reads)),
    openSsh('parallel-ssh', `reads, ${FLEET_KEX}`, pssh(c.lab, c.files, reads, FLEET_KEX)),
    openSsh('fleet\'s transport', `reads, ${FLEET_KEX}`, bareReads(c)),
    openSsh('ssh loop', 'reads, one host after another', sshLoop(c.lab, c.files, reads)),
    ansibleStep(c, 'reads', DIFF, c.files.readsPlaybook, 0),
    { untimed: 'fleet clear --yes', argv: fleet(c.cli, c.lab, ['clear', '--yes']) },
    ansibleStep(c, FIRST, FIRST, c.files.applyPlaybook, 2),
    ansibleStep(c, SECOND, SECOND, c.files.applyPlaybook, 0),
  ];
}

interface HostJson {
  ok: boolean;
  applied?: { persisted: boolean };
}

type Did = (hosts: HostJson[]) => boolean | undefined;

function fleetStep(c: Context, step: string, args: string[], did: Did): Step {
  const check = (s: Sample) => {
    if (s.code !== 0) return `exit ${s.code}: ${tail(s.stderr || s.stdout)}`;
    const hosts = (JSON.parse(s.stdout) as { hosts: HostJson[] }).hosts;
    const ok = hosts.length === c.lab.hosts.length && hosts.every((h) => h.ok);
    if (!ok) return 'not every host ok';
    return did(hosts) ? undefined : 'the hosts were not in the state this step is for';
  };
  return { tool: 'fleet', step, versus: step, argv: fleet(c.cli, c.lab, args), check };
}

function bareReads(c: Context): string[] {
  return ['node', c.bareReads, c.lab.inventoryFile, c.files.outDir];
}

function openSsh(tool: string, step: string, argv: string[]): Step {
  const check = (s: Sample) =>
    s.code === 0 ? undefined : `exit ${s.code}: ${tail(s.stdout + s.stderr)}`;
  return { tool, step, versus: DIFF, argv, check };
}

/** `changed`: what the play recap must say for every host (the handler counts as one). */
function ansibleStep(
  c: Context,
  step: string,
  versus: string,
  playbook: string,
  changed: number,
): Step {
  const hosts = c.lab.hosts.length;
  const check = (s: Sample) => {
    if (s.code !== 0) return `exit ${s.code}: ${tail(s.stdout + s.stderr)}`;
    const recap = [...s.stdout.matchAll(RECAP)];
    if (recap.length !== hosts) return `${recap.length} of ${hosts} hosts ok in the play recap`;
    const wrong = recap.filter((m) => Number(m[1]) !== changed).length;
    return wrong ? `${wrong} hosts did not report changed=${changed}` : undefined;
  };
  const play = ansible(c.files, playbook);
  return { tool: 'ansible', step, versus, ...play, check, after: stopControlMasters(c.files) };
}

const RECAP = /^\S+\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0/gm;

function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ');
}
