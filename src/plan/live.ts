// fleet's part of a live filter table (its chains FLEET and FLEET-INPUT and the jumps to them),
// what must change in it to match the wanted rules, and what in the live table keeps fleet's rules
// from working.
import type { Change, Family, FilterTable, HostFacts, Rule } from '../model.js';
import { diffLines } from './diff.js';
import { DOCKER_USER, FLEET, OWNED, type Owned } from './spec.js';

export function tableOf(facts: HostFacts, family: Family): FilterTable | null {
  return family === 4 ? facts.filter4 : facts.filter6;
}

export function hasDockerUser(table: FilterTable | null): table is FilterTable {
  return table?.chains.has(DOCKER_USER) ?? false;
}

/** The live `-A FLEET ...` lines, in order. */
export function fleetLines(table: FilterTable, chain = FLEET): string[] {
  return table.rules.filter((r) => r.chain === chain).map((r) => `-A ${chain} ${r.spec}`);
}

export interface JumpFixes {
  /** No jump from the parent chain yet: insert one as its first rule. */
  add: boolean;
  /** Chains to delete one jump from: every other chain's, and the parent's beyond the first. */
  remove: string[];
}

export function jumpFixes(table: FilterTable, owned: Owned = OWNED[0]!): JumpFixes {
  const chains = table.rules.filter((r) => r.spec === owned.jump).map((r) => r.chain);
  const own = chains.filter((c) => c === owned.parent);
  const elsewhere = chains.filter((c) => c !== owned.parent);
  return { add: own.length === 0, remove: [...elsewhere, ...own.slice(1)] };
}

/** Whether `wanted` (one family's rules) wants this chain of fleet's at all. */
export function wantsChain(wanted: Rule[], owned: Owned): boolean {
  return wanted.some((r) => r.chain === owned.parent && r.spec === owned.jump);
}

/** Whether the live table has any of this chain: the chain itself, or a jump to it. */
export function hasChain(table: FilterTable, owned: Owned): boolean {
  return table.chains.has(owned.chain) || table.rules.some((r) => r.spec === owned.jump);
}

/** The live part equals `wanted` (one family's rules), so there is nothing to do. */
export function inSync(table: FilterTable, wanted: Rule[]): boolean {
  return OWNED.every((owned) => chainInSync(table, wanted, owned));
}

function chainInSync(table: FilterTable, wanted: Rule[], owned: Owned): boolean {
  if (!wantsChain(wanted, owned)) return !hasChain(table, owned);
  const fixes = jumpFixes(table, owned);
  const lines = wanted.filter((r) => r.chain === owned.chain).map((r) => `-A ${owned.chain} ${r.spec}`);
  const same = fleetLines(table, owned.chain).join('\n') === lines.join('\n');
  return same && !fixes.add && fixes.remove.length === 0 && table.chains.has(owned.chain);
}

/** What to add and remove so the live part equals `wanted`: per chain, jumps first, then rules. */
export function familyChanges(table: FilterTable, wanted: Rule[], family: Family): Change[] {
  return OWNED.flatMap((owned) =>
    wantsChain(wanted, owned)
      ? chainChanges(table, wanted, family, owned)
      : unwantedChanges(table, family, owned),
  );
}

function chainChanges(table: FilterTable, wanted: Rule[], family: Family, owned: Owned): Change[] {
  const fixes = jumpFixes(table, owned);
  const jump = wanted.find((r) => r.chain === owned.parent && r.spec === owned.jump);
  const jumps = fixes.remove.map((chain) => remove(family, chain, owned.jump, extraJump(chain, owned)));
  if (fixes.add && jump) jumps.unshift({ op: 'add', rule: jump });
  const mine = wanted.filter((r) => r.chain === owned.chain);
  return [...jumps, ...ruleChanges(table, mine, family, owned.chain)];
}

/** A chain no port needs any more goes, with every jump to it. */
function unwantedChanges(table: FilterTable, family: Family, owned: Owned): Change[] {
  const why = 'no policy needs it now';
  const jumps = table.rules.filter((r) => r.spec === owned.jump);
  const rules = table.rules.filter((r) => r.chain === owned.chain);
  return [...jumps, ...rules].map((r) => remove(family, r.chain, r.spec, why));
}

function ruleChanges(table: FilterTable, wanted: Rule[], family: Family, chain: string): Change[] {
  const live = table.rules.filter((r) => r.chain === chain).map((r) => r.spec);
  const specs = new Set(wanted.map((r) => r.spec));
  return diffLines(live, wanted.map((r) => r.spec)).flatMap((step): Change[] => {
    if (step.op === 'keep') return [];
    if (step.op === 'add') return [{ op: 'add', rule: wanted[step.index] as Rule }];
    const moved = specs.has(step.line);
    const why = moved ? 'out of order: it comes back at its place' : 'no policy wants it now';
    return [remove(family, chain, step.line, why)];
  });
}

function remove(family: Family, chain: string, spec: string, reason: string): Change {
  return { op: 'remove', rule: { family, chain, spec, reason } };
}

function extraJump(chain: string, owned: Owned): string {
  return chain === owned.parent
    ? `${owned.parent} jumps to ${owned.chain} twice; once is enough`
    : `fleet jumps to ${owned.chain} from ${owned.parent} only, not from ${chain}`;
}

// ---------------------------------------------------------------- live warnings

/** What in this family's live table keeps fleet's rules from seeing the traffic they are for. */
export function liveWarnings(table: FilterTable, family: Family, wanted: Rule[]): string[] {
  const name = `IPv${family}`;
  const warnings: string[] = [];
  const forward = hasDockerUser(table);
  if (forward && !table.rules.some((r) => r.chain === 'FORWARD' && r.spec === `-j ${DOCKER_USER}`)) {
    warnings.push(
      `${name}: FORWARD does not jump to DOCKER-USER, so fleet's rules see no traffic` +
        ' (restart Docker to put its jump back)',
    );
  }
  for (const owned of OWNED.filter((o) => wantsChain(wanted, o))) {
    for (const spec of passedAboveJump(table, owned)) {
      warnings.push(
        `${name}: ${owned.parent} has \`${spec}\` above fleet's jump,` +
          " so what it matches skips fleet's rules (fleet does not move your rules;" +
          ` move it below \`${owned.jump}\` if fleet should see that traffic)`,
      );
    }
  }
  return warnings;
}

/** Rules above the first jump to fleet's chain that let traffic out before fleet sees it. */
function passedAboveJump(table: FilterTable, owned: Owned): string[] {
  const mine = table.rules.filter((r) => r.chain === owned.parent).map((r) => r.spec);
  const at = mine.indexOf(owned.jump);
  const passes = (spec: string): boolean => /(^| )-j (ACCEPT|RETURN)( |$)/.test(spec);
  return at < 0 ? [] : mine.slice(0, at).filter(passes);
}
