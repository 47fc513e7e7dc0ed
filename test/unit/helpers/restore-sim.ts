// What `iptables-restore --noflush` does to a filter table, for the lines fleet sends. Held to the
// real kernel by plan-restore.test.ts (test/fixtures/iptables-1.8.9/restore-*).
import type { FilterTable } from '../../../src/model.js';

export function simulateRestore(before: FilterTable, input: string): FilterTable {
  const table: FilterTable = { chains: new Map(before.chains), rules: before.rules.map((r) => ({ ...r })) };
  for (const line of input.split('\n').filter((l) => l !== '' && l !== '*filter' && l !== 'COMMIT')) {
    apply(table, line);
  }
  return table;
}

function apply(table: FilterTable, line: string): void {
  const declare = /^:(\S+) (\S+) \[0:0\]$/.exec(line);
  const op = /^-([AIDX]) (\S+)(?: (\d+))?(?: (.*))?$/.exec(line);
  if (declare?.[1]) return flush(table, declare[1], declare[2] ?? '-');
  if (!op?.[1] || !op[2]) throw new Error(`restore: cannot read ${line}`);
  const [, verb, chain, at, spec = ''] = op;
  if (verb !== 'X' && !table.chains.has(chain)) throw new Error(`restore: no chain ${chain}`);
  if (verb === 'A') table.rules.push({ chain, spec: at ? `${at} ${spec}` : spec });
  if (verb === 'I') insert(table, chain, Number(at), spec);
  if (verb === 'D') remove(table, chain, spec);
  if (verb === 'X') drop(table, chain);
}

function flush(table: FilterTable, chain: string, policy: string): void {
  table.rules = table.rules.filter((r) => r.chain !== chain);
  if (!table.chains.has(chain)) table.chains.set(chain, policy);
}

/** Before the at-th rule of the chain (1-based), or at its end. */
function insert(table: FilterTable, chain: string, at: number, spec: string): void {
  const positions = table.rules.flatMap((r, i) => (r.chain === chain ? [i] : []));
  const index = positions[at - 1] ?? (positions.length > 0 ? (positions.at(-1) ?? 0) + 1 : table.rules.length);
  table.rules.splice(index, 0, { chain, spec });
}

function remove(table: FilterTable, chain: string, spec: string): void {
  const index = table.rules.findIndex((r) => r.chain === chain && r.spec === spec);
  if (index < 0) throw new Error(`restore: no rule -A ${chain} ${spec}`);
  table.rules.splice(index, 1);
}

/** Like iptables: only an empty chain that nothing jumps to can go. */
function drop(table: FilterTable, chain: string): void {
  if (table.rules.some((r) => r.chain === chain)) throw new Error(`restore: ${chain} is not empty`);
  if (table.rules.some((r) => r.spec === `-j ${chain}`)) throw new Error(`restore: ${chain} is in use`);
  table.chains.delete(chain);
}
