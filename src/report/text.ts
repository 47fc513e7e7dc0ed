// What a person reads on stdout: each host's plan, then one table with a row per host.
import Table from 'cli-table3';
import pc from 'picocolors';
import type { Change, HostPlan } from '../model.js';
import type { HostResult } from '../run/fleet.js';

export type Colors = ReturnType<typeof pc.createColors>;

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

const NAMES = new Intl.Collator('en', { numeric: true });

/** Hosts sorted by name (lab2 before lab10), so output is stable and can be diffed. */
export function byName(results: HostResult[]): HostResult[] {
  return [...results].sort((a, b) => NAMES.compare(a.host.name, b.host.name));
}

export function renderPlans(results: HostResult[], c: Colors): string {
  return byName(results)
    .map((r) => renderHost(r, c))
    .join('\n');
}

function renderHost(result: HostResult, c: Colors): string {
  const { host, plan, error } = result;
  const head = c.bold(`${host.name} (${host.address})`);
  if (error && !plan) return `${head}\n  ${c.red(`error: ${error.message}`)}\n`;
  if (!plan) return `${head}\n`;
  const lines = [
    ...plan.changes.map((ch) => renderChange(ch, c)),
    ...plan.warnings.map((w) => `  ${c.yellow(`warning: ${w}`)}`),
    ...plan.notes.map((n) => `  ${c.dim(`note: ${n}`)}`),
  ];
  if (plan.changes.length === 0) lines.unshift(`  ${c.green('in sync')}`);
  if (error) lines.push(`  ${c.red(`error: ${error.message}`)}`);
  return `${head}\n${lines.join('\n')}\n`;
}

function renderChange({ op, rule }: Change, c: Colors): string {
  const tool = rule.family === 4 ? 'iptables' : 'ip6tables';
  const text = `${op === 'add' ? '+' : '-'} ${tool} -A ${rule.chain} ${rule.spec}`;
  const paint = op === 'add' ? c.green : c.red;
  return `  ${paint(text)}\n      ${c.dim(rule.reason)}`;
}

export function counts(plan: HostPlan | undefined): { add: number; remove: number } {
  const changes = plan?.changes ?? [];
  return {
    add: changes.filter((ch) => ch.op === 'add').length,
    remove: changes.filter((ch) => ch.op === 'remove').length,
  };
}

/** The `fleet diff` table: host, containers matched, rules to add, rules to remove, status. */
export function diffTable(results: HostResult[], c: Colors): string {
  const table = newTable(['host', 'matched', 'to add', 'to remove', 'status']);
  for (const r of byName(results)) {
    const { add, remove } = counts(r.plan);
    table.push([r.host.name, r.plan?.matched ?? '-', add, remove, diffStatus(r, c)]);
  }
  return table.toString();
}

function diffStatus(r: HostResult, c: Colors): string {
  if (r.error) return c.red(`failed: ${r.error.step}`);
  const { add, remove } = counts(r.plan);
  return add + remove === 0 ? c.green('in sync') : c.yellow('changes pending');
}

/** The `fleet apply` table: host, added, removed, persisted, result, seconds. */
export function applyTable(results: HostResult[], c: Colors): string {
  const table = newTable(['host', 'added', 'removed', 'persisted', 'result', 'seconds']);
  for (const r of byName(results)) {
    const { add, remove } = r.applied ? counts(r.plan) : { add: 0, remove: 0 };
    const persisted = r.applied ? (r.applied.persisted ? 'yes' : 'no') : '-';
    table.push([r.host.name, add, remove, persisted, applyResult(r, c), r.seconds.toFixed(2)]);
  }
  return table.toString();
}

function applyResult(r: HostResult, c: Colors): string {
  if (r.error) return c.red(`failed: ${r.error.step}`);
  return r.applied ? c.green('changed') : c.green('unchanged');
}

function newTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } });
}

/** Every failed host with its whole message, after the table, so none is lost in a cell. */
export function failures(results: HostResult[], c: Colors): string {
  const failed = byName(results).filter((r) => r.error);
  return failed.map((r) => c.red(`${r.error?.message}`)).join('\n');
}
