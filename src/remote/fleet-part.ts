// fleet's part of a filter table, as one text: whether the FLEET chain exists, its rules in order,
// then every jump to it. The host computes it with FLEET_PART_AWK from iptables-save output or a
// saved rules file; the controller computes the same text from parsed facts or from a plan, so
// "is the host as planned" is one string comparison on the host itself.
import type { FilterTable, Rule } from '../model.js';
import { FLEET as FLEET_CHAIN } from '../plan/spec.js';

export const FLEET_PART_AWK = [
  '{ sub(/^\\[[0-9]+:[0-9]+\\] /, "") }',
  '/^\\*/ { table = substr($0, 2); next }',
  'table != "filter" { next }',
  '/^:FLEET / { declared = 1; next }',
  '/^-A FLEET / { rules = rules $0 "\\n"; next }',
  '/^-A [^ ]+ -j FLEET$/ { jumps = jumps $0 "\\n" }',
  'END { if (declared) print ":FLEET"; printf "%s%s", rules, jumps }',
].join('\n');

/** fleet's part of a live table, as FLEET_PART_AWK prints it (less the final newline). */
export function fleetPartOfTable(table: FilterTable | null): string {
  if (!table) return '';
  const lines = table.rules.map((r) => ({ chain: r.chain, line: `-A ${r.chain} ${r.spec}` }));
  return join(table.chains.has(FLEET_CHAIN), lines);
}

/** fleet's part once `rules` (one family's wanted rules) are in place. */
export function fleetPartOfRules(rules: Rule[]): string {
  const lines = rules.map((r) => ({ chain: r.chain, line: `-A ${r.chain} ${r.spec}` }));
  const declared = lines.some((l) => l.chain === FLEET_CHAIN || isJump(l.line));
  return join(declared, lines);
}

function join(declared: boolean, lines: { chain: string; line: string }[]): string {
  const own = lines.filter((l) => l.chain === FLEET_CHAIN).map((l) => l.line);
  const jumps = lines.filter((l) => l.chain !== FLEET_CHAIN && isJump(l.line)).map((l) => l.line);
  return [...(declared ? [`:${FLEET_CHAIN}`] : []), ...own, ...jumps].join('\n');
}

function isJump(line: string): boolean {
  return /^-A \S+ -j FLEET$/.test(line);
}

/**
 * The fixed part of the `iptables-restore --noflush` input that puts fleet's part back as it is in
 * `before`, from whatever state a failed step left. The host prepends `:FLEET` (which flushes the
 * chain) and a `-D` for every jump it finds live; this adds the old rules, the old jumps at their
 * old positions, and removes the chain when there was none.
 */
export function putBackBody(before: FilterTable | null): string {
  const rules = before?.rules ?? [];
  const own = rules.filter((r) => r.chain === FLEET_CHAIN).map((r) => `-A ${FLEET_CHAIN} ${r.spec}`);
  const jumps = jumpPositions(rules).map(({ chain, at }) => `-I ${chain} ${at} -j ${FLEET_CHAIN}`);
  const drop = before?.chains.has(FLEET_CHAIN) ? [] : [`-X ${FLEET_CHAIN}`];
  return [...own, ...jumps, ...drop].map((l) => `${l}\n`).join('');
}

/** 1-based positions of jumps to FLEET within their chains, ascending, so inserts replay them. */
function jumpPositions(rules: FilterTable['rules']): { chain: string; at: number }[] {
  const seen = new Map<string, number>();
  const found: { chain: string; at: number }[] = [];
  for (const rule of rules) {
    const at = (seen.get(rule.chain) ?? 0) + 1;
    seen.set(rule.chain, at);
    if (rule.spec === `-j ${FLEET_CHAIN}`) found.push({ chain: rule.chain, at });
  }
  return found;
}
