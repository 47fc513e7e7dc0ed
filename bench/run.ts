// npm run bench [-- --hosts 50,200 --runs 5]
//
// fleet against what users would pick instead (a loop of ssh, parallel-ssh, Ansible), on the same
// lab hosts in one run. For each number of hosts: take the lab lock, bring up a lab that size, run
// every step of every tool `runs` times in interleaved rounds, take the lab down (also on failure)
// and give the lock back. Then print one Markdown table, what it measured, and the machine.
// bench/README.md says more.
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
  const measured: Measured[] = [];
  for (const hosts of sizes) {
    const shape = { hosts, dockerHosts: DOCKER_HOSTS };
    measured.push(...(await withLab(shape, (lab) => measure(lab, built, runs))));
  }
  console.log([markdown(rows(measured)), notes(sizes, DOCKER_HOSTS, runs), machine()].join('\n\n'));
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

async function measure(lab: LabInfo, built: Built, runs: number): Promise<Measured[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
  try {
    const actions = round({ lab, ...built, files: writeFiles(lab, dir) });
    const samples = new Map<Action, Sample[]>(actions.map((a) => [a, []]));
    for (let k = 1; k <= runs; k++) {
      for (const action of actions) {
        const label = `N=${lab.hosts.length} round ${k}/${runs} ${describe(action)}`;
        samples.get(action)!.push(await perform(action, label));
      }
    }
    const steps = actions.filter((a): a is Step => 'step' in a);
    return steps.map((step) => ({ hosts: lab.hosts.length, step, samples: samples.get(step)! }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(action: Action): string {
  return 'step' in action ? `${action.tool}: ${action.step}` : `(untimed) ${action.reset}`;
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
