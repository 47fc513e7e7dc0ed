// The input for `iptables-restore --noflush` that makes fleet's part of one family's filter table
// what the plan wants, or removes it. Under --noflush only what the input names changes: declaring
// `:FLEET - [0:0]` empties FLEET (test/fixtures/iptables-1.8.9/restore-2-*), nothing else is
// touched, and the whole input applies or none of it, both of fleet's chains at once.
import type { Family, FilterTable, HostFacts, HostPlan, Rule } from '../model.js';
import { hasChain, inSync, jumpFixes, tableOf, wantsChain } from './live.js';
import { OWNED, type Owned } from './spec.js';

/** null when the family is in sync already, or fleet manages nothing there. */
export function renderRestore(plan: HostPlan, facts: HostFacts, family: Family): string | null {
  const table = tableOf(facts, family);
  const wanted = plan.wanted.filter((r) => r.family === family);
  if (!table || inSync(table, wanted)) return null;
  return lines(
    OWNED.flatMap((owned) =>
      wantsChain(wanted, owned) ? fill(table, wanted, owned) : drop(table, owned),
    ),
  );
}

/** Removes every jump to fleet's chains and the chains themselves; null when none is there. */
export function renderClear(facts: HostFacts, family: Family): string | null {
  const table = tableOf(facts, family);
  const body = table ? OWNED.flatMap((owned) => drop(table, owned)) : [];
  return body.length === 0 ? null : lines(body);
}

function fill(table: FilterTable, wanted: Rule[], owned: Owned): string[] {
  const fixes = jumpFixes(table, owned);
  return [
    `:${owned.chain} - [0:0]`,
    ...wanted.filter((r) => r.chain === owned.chain).map((r) => `-A ${owned.chain} ${r.spec}`),
    ...fixes.remove.map((chain) => `-D ${chain} ${owned.jump}`),
    ...(fixes.add ? [`-I ${owned.parent} 1 ${owned.jump}`] : []),
  ];
}

function drop(table: FilterTable, owned: Owned): string[] {
  if (!hasChain(table, owned)) return [];
  const declared = table.chains.has(owned.chain);
  const jumps = table.rules.filter((r) => r.spec === owned.jump).map((r) => r.chain);
  return [
    ...(declared ? [`:${owned.chain} - [0:0]`] : []),
    ...jumps.map((chain) => `-D ${chain} ${owned.jump}`),
    ...(declared ? [`-X ${owned.chain}`] : []),
  ];
}

function lines(body: string[]): string {
  return ['*filter', ...body, 'COMMIT', ''].join('\n');
}
