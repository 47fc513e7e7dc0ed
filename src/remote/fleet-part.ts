// fleet's part of a filter table, as one text: for each chain of fleet's (FLEET, FLEET-INPUT)
// whether it exists and its rules in order, then every jump to one of them. The host computes it
// with FLEET_PART_AWK from iptables-save output or a saved rules file; the controller computes the
// same text from parsed facts or from a plan, so "is the host as planned" is one string
// comparison on the host itself.
import type { FilterTable, Rule } from '../model.js';
import { OWNED } from '../plan/spec.js';

const CHAINS = OWNED.map((o) => o.chain);
const CHAIN_RE = CHAINS.join('|');

export const FLEET_PART_AWK = [
  '{ sub(/^\\[[0-9]+:[0-9]+\\] /, "") }',
  '/^\\*/ { table = substr($0, 2); next }',
  'table != "filter" { next }',
  `/^:(${CHAIN_RE}) / { declared[substr($1, 2)] = 1; next }`,
  `/^-A (${CHAIN_RE}) / { rules[$2] = rules[$2] $0 "\\n"; next }`,
  `/^-A [^ ]+ -j (${CHAIN_RE})$/ { jumps = jumps $0 "\\n" }`,
  'END {',
  `  n = split("${CHAINS.join(' ')}", chains, " ")`,
  '  for (i = 1; i <= n; i++) { c = chains[i]; if (declared[c]) print ":" c; printf "%s", rules[c] }',
  '  printf "%s", jumps',
  '}',
].join('\n');

/** fleet's part of a live table, as FLEET_PART_AWK prints it (less the final newline). */
export function fleetPartOfTable(table: FilterTable | null): string {
  if (!table) return '';
  return join((chain) => table.chains.has(chain), table.rules);
}

/** fleet's part once `rules` (one family's wanted rules) are in place. */
export function fleetPartOfRules(rules: Rule[]): string {
  const declared = (chain: string) =>
    rules.some((r) => r.chain === chain || r.spec === `-j ${chain}`);
  return join(declared, rules);
}

function join(declared: (chain: string) => boolean, rules: { chain: string; spec: string }[]): string {
  const own = CHAINS.flatMap((chain) => [
    ...(declared(chain) ? [`:${chain}`] : []),
    ...rules.filter((r) => r.chain === chain).map((r) => `-A ${chain} ${r.spec}`),
  ]);
  const jumps = rules.filter((r) => !CHAINS.includes(r.chain) && isJump(r.spec));
  return [...own, ...jumps.map((r) => `-A ${r.chain} ${r.spec}`)].join('\n');
}

function isJump(spec: string): boolean {
  return CHAINS.some((chain) => spec === `-j ${chain}`);
}

/**
 * The fixed part of the `iptables-restore --noflush` input that puts fleet's part back as it is in
 * `before`, from whatever state a failed step left. The host prepends a declaration of each of
 * fleet's chains (which flushes it) and a `-D` for every jump it finds live; this adds the old
 * rules, the old jumps at their old positions, and removes the chains that were not there.
 */
export function putBackBody(before: FilterTable | null): string {
  const rules = before?.rules ?? [];
  const own = rules.filter((r) => CHAINS.includes(r.chain)).map((r) => `-A ${r.chain} ${r.spec}`);
  const jumps = jumpPositions(rules).map(({ chain, at, spec }) => `-I ${chain} ${at} ${spec}`);
  const drop = CHAINS.filter((c) => !before?.chains.has(c)).map((c) => `-X ${c}`);
  return [...own, ...jumps, ...drop].map((l) => `${l}\n`).join('');
}

/** 1-based positions of jumps to fleet's chains within their chains, ascending, for replay. */
function jumpPositions(rules: FilterTable['rules']): { chain: string; at: number; spec: string }[] {
  const seen = new Map<string, number>();
  const found: { chain: string; at: number; spec: string }[] = [];
  for (const rule of rules) {
    const at = (seen.get(rule.chain) ?? 0) + 1;
    seen.set(rule.chain, at);
    if (isJump(rule.spec)) found.push({ chain: rule.chain, at, spec: rule.spec });
  }
  return found;
}

/** Shell text: a restore header declaring (so flushing) each of fleet's chains. */
export const DECLARE_CHAINS = CHAINS.map((c) => `:${c} - [0:0]`).join('\\n');
export const JUMP_PATTERN = `-j (${CHAIN_RE})$`;
