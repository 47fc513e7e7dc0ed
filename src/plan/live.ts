// fleet's part of a live filter table (the FLEET chain and the jumps to it), what must change in it
// to match the wanted rules, and what in the live table keeps fleet's rules from working.
import type { Change, Family, FilterTable, HostFacts, Rule } from '../model.js';
import { diffLines } from './diff.js';
import { DOCKER_USER, FLEET, JUMP } from './spec.js';

export function tableOf(facts: HostFacts, family: Family): FilterTable | null {
  return family === 4 ? facts.filter4 : facts.filter6;
}

export function hasDockerUser(table: FilterTable | null): table is FilterTable {
  return table?.chains.has(DOCKER_USER) ?? false;
}

/** The live `-A FLEET ...` lines, in order. */
export function fleetLines(table: FilterTable): string[] {
  return table.rules.filter((r) => r.chain === FLEET).map((r) => `-A ${FLEET} ${r.spec}`);
}

export interface JumpFixes {
  /** No jump from DOCKER-USER yet: insert one as its first rule. */
  add: boolean;
  /** Chains to delete one jump from: every other chain's, and DOCKER-USER's beyond the first. */
  remove: string[];
}

export function jumpFixes(table: FilterTable): JumpFixes {
  const chains = table.rules.filter((r) => r.spec === JUMP).map((r) => r.chain);
  const own = chains.filter((c) => c === DOCKER_USER);
  const elsewhere = chains.filter((c) => c !== DOCKER_USER);
  return { add: own.length === 0, remove: [...elsewhere, ...own.slice(1)] };
}

/** The live part equals `wanted` (one family's rules), so there is nothing to do. */
export function inSync(table: FilterTable, wanted: Rule[]): boolean {
  const fixes = jumpFixes(table);
  const lines = wanted.filter((r) => r.chain === FLEET).map((r) => `-A ${FLEET} ${r.spec}`);
  const same = fleetLines(table).join('\n') === lines.join('\n');
  return same && !fixes.add && fixes.remove.length === 0 && table.chains.has(FLEET);
}

/** What to add and remove so the live part equals `wanted`: jumps first, then FLEET in order. */
export function familyChanges(table: FilterTable, wanted: Rule[], family: Family): Change[] {
  const fixes = jumpFixes(table);
  const jump = wanted.find((r) => r.chain === DOCKER_USER && r.spec === JUMP);
  const jumps = fixes.remove.map((chain) => remove(family, chain, JUMP, extraJump(chain)));
  if (fixes.add && jump) jumps.unshift({ op: 'add', rule: jump });
  return [...jumps, ...fleetChanges(table, wanted.filter((r) => r.chain === FLEET), family)];
}

function fleetChanges(table: FilterTable, wanted: Rule[], family: Family): Change[] {
  const live = table.rules.filter((r) => r.chain === FLEET).map((r) => r.spec);
  const specs = new Set(wanted.map((r) => r.spec));
  return diffLines(live, wanted.map((r) => r.spec)).flatMap((step): Change[] => {
    if (step.op === 'keep') return [];
    if (step.op === 'add') return [{ op: 'add', rule: wanted[step.index] as Rule }];
    const moved = specs.has(step.line);
    const why = moved ? 'out of order: it comes back at its place' : 'no policy wants it now';
    return [remove(family, FLEET, step.line, why)];
  });
}

function remove(family: Family, chain: string, spec: string, reason: string): Change {
  return { op: 'remove', rule: { family, chain, spec, reason } };
}

function extraJump(chain: string): string {
  return chain === DOCKER_USER
    ? 'DOCKER-USER jumps to FLEET twice; once is enough'
    : `fleet jumps to ${FLEET} from DOCKER-USER only, not from ${chain}`;
}

// ---------------------------------------------------------------- live warnings

/** What in this family's live table keeps fleet's rules from seeing the traffic they are for. */
export function liveWarnings(table: FilterTable, family: Family): string[] {
  const name = `IPv${family}`;
  const warnings: string[] = [];
  if (!table.rules.some((r) => r.chain === 'FORWARD' && r.spec === `-j ${DOCKER_USER}`)) {
    warnings.push(
      `${name}: FORWARD does not jump to DOCKER-USER, so fleet's rules see no traffic` +
        ' (restart Docker to put its jump back)',
    );
  }
  for (const spec of passedAboveJump(table)) {
    warnings.push(
      `${name}: DOCKER-USER has \`${spec}\` above fleet's jump,` +
        " so what it matches skips fleet's rules (fleet does not move your rules;" +
        ' move it below `-j FLEET` if fleet should see that traffic)',
    );
  }
  return warnings;
}

/** Rules above the first jump to FLEET that let traffic out of DOCKER-USER before fleet sees it. */
function passedAboveJump(table: FilterTable): string[] {
  const mine = table.rules.filter((r) => r.chain === DOCKER_USER).map((r) => r.spec);
  const at = mine.indexOf(JUMP);
  const passes = (spec: string): boolean => /(^| )-j (ACCEPT|RETURN)( |$)/.test(spec);
  return at < 0 ? [] : mine.slice(0, at).filter(passes);
}
