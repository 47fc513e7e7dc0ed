// tsx bench/ab.ts [--base HEAD] [--step diff|apply] [--hosts 200] [--runs 5]
//
// A change to fleet against the revision before it, in one lab: the working tree and `base` are
// both built (build.ts), then run one after the other, in alternating order, `runs` times each.
// `diff` is fleet diff of hosts in sync; `apply` a first apply, with fleet clear (untimed) before
// each. Takes the lab lock and brings up a lab of its own, like run.ts.
import { parseArgs } from 'node:util';
import type { LabInfo } from '../test/lab/lab.js';
import { buildFleet, ROOT } from './build.js';
import { withLab } from './lab.js';
import { median, timed, type Sample } from './timing.js';
import { fleet } from './tools.js';

const TIMEOUT_MS = 10 * 60_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: 'HEAD' },
      step: { type: 'string', default: 'diff' },
      hosts: { type: 'string', default: '200' },
      runs: { type: 'string', default: '5' },
    },
  });
  if (values.step !== 'diff' && values.step !== 'apply') throw new Error('--step is diff or apply');
  const step = values.step;
  const builds = { [values.base]: buildFleet(values.base), 'working tree': buildFleet() };
  const runs = Math.min(Number(values.runs), 20);
  await withLab({ hosts: Number(values.hosts), dockerHosts: 2 }, async (lab) => {
    const samples = new Map<string, Sample[]>(Object.keys(builds).map((name) => [name, []]));
    const names = Object.keys(builds);
    if (step === 'diff') await mustRun(fleet(builds['working tree']!, lab, ['apply', '--yes']));
    for (let k = 0; k < runs; k++) {
      for (const name of k % 2 ? [...names].reverse() : names) {
        samples.get(name)!.push(await once(builds[name]!, lab, step));
      }
    }
    console.log(report(lab.hosts.length, step, samples));
  });
}

async function once(cli: string, lab: LabInfo, step: 'diff' | 'apply'): Promise<Sample> {
  if (step === 'apply') await mustRun(fleet(cli, lab, ['clear', '--yes']));
  return mustRun(fleet(cli, lab, step === 'diff' ? ['diff'] : ['apply', '--yes']));
}

async function mustRun(argv: string[]): Promise<Sample> {
  const sample = await timed(argv, { cwd: ROOT, timeoutMs: TIMEOUT_MS });
  if (sample.code !== 0) {
    throw new Error(`${argv.join(' ')}: exit ${sample.code}: ${sample.stderr.trim().slice(-500)}`);
  }
  return sample;
}

function report(hosts: number, step: string, samples: Map<string, Sample[]>): string {
  const lines = [`fleet ${step}, ${hosts} hosts, medians`, ''];
  lines.push('| build | runs | wall s | controller CPU s | machine CPU s |');
  lines.push('|---|---|---|---|---|');
  for (const [name, all] of samples) {
    const m = (f: (s: Sample) => number) => median(all.map(f)).toFixed(2);
    const cells = [m((s) => s.seconds), m((s) => s.controllerCpu), m((s) => s.machineCpu)];
    lines.push(`| ${name} | ${all.length} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(`ab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
