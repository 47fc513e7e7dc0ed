// The input for `iptables-restore --noflush` that makes fleet's part of one family's filter table
// what the plan wants, or removes it. Under --noflush only what the input names changes: declaring
// `:FLEET - [0:0]` empties FLEET (test/fixtures/iptables-1.8.9/restore-2-*), nothing else is
// touched, and the whole input applies or none of it.
import type { Family, HostFacts, HostPlan } from '../model.js';
import { inSync, jumpFixes, tableOf } from './live.js';
import { DOCKER_USER, FLEET, JUMP } from './spec.js';

/** null when the family is in sync already, or fleet does not manage it (no DOCKER-USER there). */
export function renderRestore(plan: HostPlan, facts: HostFacts, family: Family): string | null {
  const table = tableOf(facts, family);
  const wanted = plan.wanted.filter((r) => r.family === family);
  const managed = wanted.some((r) => r.chain === DOCKER_USER && r.spec === JUMP);
  if (!table || !managed || inSync(table, wanted)) return null;
  const fixes = jumpFixes(table);
  return lines([
    `:${FLEET} - [0:0]`,
    ...wanted.filter((r) => r.chain === FLEET).map((r) => `-A ${FLEET} ${r.spec}`),
    ...fixes.remove.map((chain) => `-D ${chain} ${JUMP}`),
    ...(fixes.add ? [`-I ${DOCKER_USER} 1 ${JUMP}`] : []),
  ]);
}

/** Removes every jump to FLEET and the chain itself; null when neither is there. */
export function renderClear(facts: HostFacts, family: Family): string | null {
  const table = tableOf(facts, family);
  const jumps = (table?.rules ?? []).filter((r) => r.spec === JUMP).map((r) => r.chain);
  const declared = table?.chains.has(FLEET) ?? false;
  if (!declared && jumps.length === 0) return null;
  return lines([
    ...(declared ? [`:${FLEET} - [0:0]`] : []),
    ...jumps.map((chain) => `-D ${chain} ${JUMP}`),
    ...(declared ? [`-X ${FLEET}`] : []),
  ]);
}

function lines(body: string[]): string {
  return ['*filter', ...body, 'COMMIT', ''].join('\n');
}
