// tsx bench/phases.ts [--hosts 200] [--runs 2]
//
// Where fleet's time goes: fleet's own transport, in this process, against a lab of its own, doing
// ever more of what `fleet diff` does on every host (log in; run true; sudo; the bare reads; the
// facts script). Per variant: wall time, CPU of this process (the controller) and of the whole
// machine (controller plus every sshd and remote command, since the hosts are local).
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import { FACTS, factsScript } from '../src/remote/facts-script.js';
import { MARK } from '../src/remote/sections.js';
import { remoteScript, shCommand } from '../src/remote/shell.js';
import { createSsh2Transport, DEFAULT_CONNECT_OPTIONS, mapLimit } from '../src/ssh/index.js';
import type { HostSpec } from '../src/model.js';
import type { LabInfo } from '../test/lab/lab.js';
import { withLab } from './lab.js';
import { machineTicks, median, TICKS_PER_SECOND } from './timing.js';
import { BARE_READS, CONCURRENCY } from './tools.js';

interface Variant {
  name: string;
  command?: string;
  stdin?: string;
}

const STEPS: Variant[] = [
  { name: 'log in, close' },
  { name: '+ true', command: 'true' },
  { name: '+ sudo -n true', command: 'sudo -n true' },
  { name: '+ bare reads (sudo)', command: shCommand(BARE_READS, true) },
  { name: '+ facts script (sudo)', ...remoteScript(factsScript(), true) },
];

/** The facts script less one section each: what each section costs. */
function withoutEachSection(): Variant[] {
  return Object.values(FACTS).map((name) => ({
    name: `facts script less ${name}`,
    ...remoteScript(withoutSection(factsScript(), name), true),
  }));
}

function withoutSection(script: string, name: string): string {
  const start = script.indexOf(`echo '${MARK} ${name}'`);
  const endMark = `${MARK}-rc ${name} %s\\n' "$?"`;
  const end = script.indexOf(endMark, start) + endMark.length;
  if (start < 0 || end < endMark.length) throw new Error(`no section ${name} in the facts script`);
  return script.slice(0, start) + script.slice(end + 1);
}

interface Measured {
  wall: number;
  controllerCpu: number;
  machineCpu: number;
  connectMs: number;
  execMs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: 'string', default: '200' },
      runs: { type: 'string', default: '2' },
      sections: { type: 'boolean', default: false },
    },
  });
  const variants = values.sections ? [STEPS[4]!, ...withoutEachSection()] : STEPS;
  const runs = Math.min(Number(values.runs), 10);
  await withLab({ hosts: Number(values.hosts), dockerHosts: 2 }, async (lab) => {
    const hosts = await labHosts(lab);
    const results = new Map<string, Measured[]>(variants.map((v) => [v.name, []]));
    for (let k = 0; k < runs; k++) {
      for (const v of variants) results.get(v.name)!.push(await variant(hosts, v));
    }
    console.log(report(lab.hosts.length, results));
  });
}

async function labHosts(lab: LabInfo): Promise<HostSpec[]> {
  const config = await loadConfig({ inventory: lab.inventoryFile, policies: 'policies' }, '/root');
  return config.inventory.hosts;
}

async function variant(hosts: HostSpec[], { command, stdin }: Variant): Promise<Measured> {
  const transport = createSsh2Transport();
  const cpu = process.cpuUsage();
  const machine = machineTicks();
  const started = performance.now();
  const perHost = await mapLimit(hosts, CONCURRENCY, async (host) => {
    const t0 = performance.now();
    const session = await transport.connect(host, DEFAULT_CONNECT_OPTIONS);
    const t1 = performance.now();
    if (command) {
      const result = await session.exec(command, { stdin });
      if (result.code !== 0) throw new Error(`${host.name}: exit ${result.code}: ${result.stderr}`);
    }
    const t2 = performance.now();
    await session.close();
    return { connectMs: t1 - t0, execMs: t2 - t1 };
  });
  const wall = (performance.now() - started) / 1000;
  const ok = perHost.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  const used = process.cpuUsage(cpu);
  return {
    wall,
    controllerCpu: (used.user + used.system) / 1e6,
    machineCpu: (machineTicks() - machine) / TICKS_PER_SECOND,
    connectMs: median(ok.map((r) => r.connectMs)),
    execMs: median(ok.map((r) => r.execMs)),
  };
}

function report(n: number, results: Map<string, Measured[]>): string {
  const lines = [`${n} hosts, concurrency ${CONCURRENCY}, medians over runs`, ''];
  const header = ['variant', 'wall s', 'controller CPU s', 'machine CPU s', 'machine CPU ms/host',
    'connect ms', 'exec ms'];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---|').join('')}`);
  for (const [name, all] of results) {
    const m = (f: (x: Measured) => number) => median(all.map(f));
    const cells = [
      m((x) => x.wall).toFixed(2), m((x) => x.controllerCpu).toFixed(2),
      m((x) => x.machineCpu).toFixed(1), ((m((x) => x.machineCpu) * 1000) / n).toFixed(0),
      m((x) => x.connectMs).toFixed(0), m((x) => x.execMs).toFixed(0),
    ];
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(`phases: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
