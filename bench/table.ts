// From the samples of every run to the one table: per tool, step and number of hosts, the median
// time, its ratio to fleet's median for the same step and number of hosts, CPU and peak memory.
import type { Step } from './steps.js';
import { median, type Sample } from './timing.js';

export interface Measured {
  hosts: number;
  step: Step;
  samples: Sample[];
}

export interface Row {
  tool: string;
  step: string;
  versus: string;
  hosts: number;
  runs: number;
  seconds: number;
  ratio: number;
  controllerCpu: number;
  machineCpu: number;
  largestMb: number;
  treeMb: number;
}

export function rows(measured: Measured[]): Row[] {
  const seconds = (m: Measured) => median(m.samples.map((s) => s.seconds));
  const fleet = (hosts: number, step: string) =>
    measured.find((m) => m.hosts === hosts && m.step.tool === 'fleet' && m.step.step === step);
  const all = measured.map((m) => {
    const own = fleet(m.hosts, m.step.versus);
    return {
      tool: m.step.tool, step: m.step.step, versus: m.step.versus, hosts: m.hosts,
      runs: m.samples.length, seconds: seconds(m), ratio: own ? seconds(m) / seconds(own) : NaN,
      controllerCpu: median(m.samples.map((s) => s.controllerCpu)),
      machineCpu: median(m.samples.map((s) => s.machineCpu)),
      largestMb: Math.max(...m.samples.map((s) => s.largestMb)),
      treeMb: Math.max(...m.samples.map((s) => s.treeMb)),
    };
  });
  return sortRows(all);
}

/** By number of hosts, then the steps in the order fleet's come, fleet's own row first. */
function sortRows(all: Row[]): Row[] {
  const order = [...new Set(all.filter((r) => r.tool === 'fleet').map((r) => r.step))];
  const rank = (r: Row) => order.indexOf(r.versus) * 2 + (r.tool === 'fleet' ? 0 : 1);
  return all
    .map((row, i) => ({ row, i }))
    .sort((a, b) => a.row.hosts - b.row.hosts || rank(a.row) - rank(b.row) || a.i - b.i)
    .map(({ row }) => row);
}

const COLUMNS: [string, (r: Row) => string][] = [
  ['tool', (r) => r.tool],
  ['step', (r) => r.step],
  ['N', (r) => String(r.hosts)],
  ['median s', (r) => r.seconds.toFixed(2)],
  ['ratio to fleet', (r) => `${r.ratio.toFixed(2)}x`],
  ['controller CPU s', (r) => r.controllerCpu.toFixed(2)],
  ['machine CPU s', (r) => r.machineCpu.toFixed(1)],
  ['peak RSS MB, largest process', (r) => r.largestMb.toFixed(0)],
  ['peak RSS MB, process tree', (r) => r.treeMb.toFixed(0)],
];

/** A Markdown table, so that it can go into the README as printed. */
export function markdown(all: Row[]): string {
  const cells = all.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const header = COLUMNS.map(([name]) => name);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((text, i) => text.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
