// What fleet does on one host, step by step, over one SSH session: read the facts, plan, apply.
// Every failure becomes a HostError naming the host and the step; nothing here throws anything else
// on purpose.
import { HostError } from '../errors.js';
import type { Family, HostFacts, HostSpec, Rule } from '../model.js';
import { tableOf } from '../plan/live.js';
import { applyScript, EXIT, STEP_MARK, type FamilyChange } from '../remote/apply-script.js';
import { factsScript } from '../remote/facts-script.js';
import { fleetPartOfRules, fleetPartOfTable, putBackBody } from '../remote/fleet-part.js';
import { remoteScript } from '../remote/shell.js';
import { splitSections } from '../remote/sections.js';
import type { ExecResult, Session } from '../ssh/index.js';
import { factsFromSections } from './facts.js';

export async function readFacts(host: HostSpec, session: Session): Promise<HostFacts> {
  const { command, stdin } = remoteScript(factsScript(), host.sudo);
  const result = await session.exec(command, { stdin });
  if (result.code !== 0) throw remoteFailure(host, 'read facts', result);
  return factsFromSections(host.name, splitSections(result.stdout));
}

export interface ApplyOutcome {
  persisted: boolean;
  steps: string[];
}

/** Makes fleet's part of each family equal `wanted` (per family), or leaves the host as it was. */
export async function applyRules(
  host: HostSpec,
  session: Session,
  facts: HostFacts,
  restores: Partial<Record<Family, string>>,
  wanted: Rule[],
  persist: boolean,
): Promise<ApplyOutcome> {
  const changes = scriptInputs(facts, restores, wanted);
  if (changes.length === 0) return { persisted: false, steps: [] };
  const { command, stdin } = remoteScript(applyScript(changes, persist), host.sudo);
  const result = await session.exec(command, { stdin });
  if (result.code !== 0) throw remoteFailure(host, applyStep(result.code), result);
  const steps = result.stdout
    .split('\n')
    .filter((l) => l.startsWith(`${STEP_MARK} `))
    .map((l) => l.slice(STEP_MARK.length + 1));
  return { persisted: steps.includes('persisted'), steps };
}

/** What the apply script needs per family it changes: the restore, and how to check and undo it. */
function scriptInputs(
  facts: HostFacts,
  restores: Partial<Record<Family, string>>,
  wanted: Rule[],
): FamilyChange[] {
  const changes: FamilyChange[] = [];
  for (const family of [4, 6] as const) {
    const restore = restores[family];
    if (restore === undefined) continue;
    const live = tableOf(facts, family);
    changes.push({
      family,
      restore,
      putBack: putBackBody(live),
      before: fleetPartOfTable(live),
      after: fleetPartOfRules(wanted.filter((r) => r.family === family)),
    });
  }
  return changes;
}

const STEP_BY_EXIT: Record<number, string> = {
  [EXIT.lock]: 'lock',
  [EXIT.stale]: 'check rules before applying',
  [EXIT.restore]: 'apply',
  [EXIT.verify]: 'verify',
  [EXIT.persist]: 'persist',
  [EXIT.rollback]: 'roll back',
};

function applyStep(code: number | null): string {
  return (code !== null && STEP_BY_EXIT[code]) || 'apply';
}

/** A remote command that failed: the host, the step, and the end of what it wrote on stderr. */
function remoteFailure(host: HostSpec, step: string, result: ExecResult): HostError {
  const tail = result.stderr.trim().split('\n').slice(-3).join(' / ');
  if (/sudo: (a password is required|a terminal is required)/.test(result.stderr)) {
    return new HostError(
      host.name,
      step,
      `sudo wants a password for ${host.user}`,
      `allow ${host.user} passwordless sudo on the host, or log in as root and set sudo: false`,
    );
  }
  const how = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  return new HostError(host.name, step, tail ? `${how}: ${tail}` : how);
}
