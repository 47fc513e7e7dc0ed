// npm run bench [-- --hosts 50,200 --runs 5]
//
// fleet against what users would pick instead (a loop of ssh, parallel-ssh, Ansible), on the same
// lab hosts in one run. For each number of hosts, `runs` rounds, each of which takes the lab lock,
// brings up a lab that size, runs every step of every tool once, takes the lab down (also on
// failure) and gives the lock back, so that others can use the lab between rounds. Then one
// Markdown table, what it measured, and the machine. bench/README.md says more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LabInfo } from '../test/lab/lab.js';
import { buildBareReads, buildFleet, ROOT } from './build.js';
import { withLab } from './lab.js';
import { machine, notes } from './notes.js';
import { round, type Action, type Step } from './steps.js';
import { markdown, rows, type Measured } from './table.js';
import { timed, type Sample } from './timing.js';
import { writeFiles } from './tools.js';

const DOCKER_HOSTS = 2;
const COMMAND_TIMEOUT_MS = 15 * 60_000;
const MAX_RUNS = 20;

interface Built {
  cli: string;
  bareReads: string;
}

async function main(): Promise<void> {
  const { sizes, runs } = options();
  const built = { cli: buildFleet(), bareReads: buildBareReads() };
  const measured = new Map<string, Measured>();
  for (const hosts of sizes) {
    for (let k = 1; k <= runs; k++) {
      const shape = { hosts, dockerHosts: DOCKER_HOSTS };
      const label = `N=${hosts} round ${k}/${runs}`;
      const round = await withLab(shape, (lab) => measureRound(lab, built, label));
      for (const { step, sample } of round) add(measured, hosts, step, sample);
    }
  }
  const table = markdown(rows([...measured.values()]));
  console.log([table, notes(sizes, DOCKER_HOSTS, runs), machine()].join('\n\n'));
}

function add(measured: Map<string, Measured>, hosts: number, step: Step, sample: Sample): void {
  const key = `${hosts} ${step.tool} ${step.step}`;
  const entry = measured.get(key) ?? { hosts, step, samples: [] };
  entry.samples.push(sample);
  measured.set(key, entry);
}

function options(): { sizes: number[]; runs: number } {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '50,200' },
      runs: { type: 'string', default: '5' },
    },
  });
  const sizes = values.hosts.split(',').map(Number);
  const runs = Number(values.runs);
  if (!sizes.every((n) => Number.isInteger(n) && n > 0) || !(runs >= 1 && runs <= MAX_RUNS)) {
    throw new Error(`--hosts takes numbers like 50,200 and --runs a number from 1 to ${MAX_RUNS}`);
  }
  return { sizes, runs };
}

/** One round, on a lab of its own, so that the lab lock is never held for long. */
async function measureRound(lab: LabInfo, built: Built, label: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
  try {
    const measured: { step: Step; sample: Sample }[] = [];
    for (const action of round({ lab, ...built, files: writeFiles(lab, dir) })) {
      const sample = await perform(action, `${label} ${describe(action)}`);
      if ('step' in action) measured.push({ step: action, sample });
    }
    return measured;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(action: Action): string {
  return 'step' in action ? `${action.tool}: ${action.step}` : `(untimed) ${action.untimed}`;
}

/** Runs one action; a step whose run does not count stops the benchmark. */
async function perform(action: Action, label: string): Promise<Sample> {
  const sample = await run(action.argv, 'env' in action ? action.env : undefined, label);
  if (!('step' in action)) return sample;
  const why = action.check(sample);
  if (why) throw new Error(`${label}: does not count: ${why}`);
  if (action.after) await run(action.after, undefined, `${label} (untimed clean-up)`);
  return sample;
}

async function run(argv: string[], env: NodeJS.ProcessEnv | undefined, label: string) {
  const sample = await timed(argv, { cwd: ROOT, env, timeoutMs: COMMAND_TIMEOUT_MS });
  console.error(`${label}: ${sample.seconds.toFixed(2)} s, ${sample.largestMb.toFixed(0)} MB`);
  if (sample.code !== 0) {
    const said = (sample.stderr || sample.stdout).trim().slice(-500);
    throw new Error(`${label}: exit ${sample.code}: ${said}`);
  }
  return sample;
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
