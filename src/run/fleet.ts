// Runs the per-host steps across the selected hosts, a bounded number at a time. A failure on one
// host is that host's result and never stops the others.
import { HostError } from '../errors.js';
import type { Family, HostFacts, HostPlan, HostSpec, Policy } from '../model.js';
import { planHost, renderClear, renderRestore } from '../plan/index.js';
import { tableOf } from '../plan/live.js';
import { OWNED } from '../plan/spec.js';
import { mapLimit, type ConnectOptions, type Session, type Transport } from '../ssh/index.js';
import { applyRules, readFacts, type ApplyOutcome } from './host-steps.js';
import { preflight } from './preflight.js';

export interface RunOptions {
  concurrency: number;
  connect: ConnectOptions;
  /** Run `netfilter-persistent save` after a change (apply, clear). */
  persist: boolean;
  /** Called as each host finishes a step, for progress on stderr. */
  progress?: (host: string, what: string) => void;
}

export interface HostResult {
  host: HostSpec;
  facts?: HostFacts;
  plan?: HostPlan;
  /** Set once a change was attempted: what the host reported. */
  applied?: ApplyOutcome;
  error?: HostError;
  /** Seconds spent on this host, connect to last step. */
  seconds: number;
  /** Open between planning and applying, closed by finish(). */
  session?: Session;
}

/** A host planned without an error that has changes to make: what apply and clear change. */
export function hasChanges(result: HostResult): boolean {
  return !result.error && (result.plan?.changes.length ?? 0) > 0;
}

export type Mode = 'plan' | 'clear';

/** Connects to every host, reads its facts and plans it. Sessions stay open when `keepOpen`. */
export async function planFleet(
  hosts: HostSpec[],
  policies: Policy[],
  transport: Transport,
  opts: RunOptions,
  mode: Mode,
  keepOpen: boolean,
): Promise<HostResult[]> {
  return settled(await mapLimit(hosts, opts.concurrency, async (host) => {
    const started = performance.now();
    const result: HostResult = { host, seconds: 0 };
    try {
      result.session = await transport.connect(host, opts.connect);
      result.facts = await readFacts(host, result.session);
      result.plan = planFor(host, policies, result.facts, opts, mode);
      opts.progress?.(host.name, 'planned');
    } catch (err) {
      result.error = asHostError(host, 'plan', err);
      opts.progress?.(host.name, `failed: ${result.error.message}`);
    }
    if (!keepOpen || result.error) await closeSession(result);
    result.seconds = (performance.now() - started) / 1000;
    return result;
  }));
}

/** The per-host functions here catch everything, so a rejection is a bug worth surfacing. */
function settled<R>(results: PromiseSettledResult<R>[]): R[] {
  return results.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

function planFor(
  host: HostSpec,
  policies: Policy[],
  facts: HostFacts,
  opts: RunOptions,
  mode: Mode,
): HostPlan {
  const check = preflight(host.name, facts, opts.persist);
  if (check.error) throw check.error;
  const plan = mode === 'clear' ? clearPlan(host, facts) : planHost(host, policies, facts);
  return { ...plan, warnings: [...check.warnings, ...plan.warnings] };
}

/** Removing all of fleet's rules: every live rule of fleet's chains, and every jump to them. */
function clearPlan(host: HostSpec, facts: HostFacts): HostPlan {
  const owned = (r: { chain: string; spec: string }) =>
    OWNED.some((o) => r.chain === o.chain || r.spec === o.jump);
  const changes = ([4, 6] as const).flatMap((family) =>
    (tableOf(facts, family)?.rules ?? []).filter(owned).map((r) => ({
      op: 'remove' as const,
      rule: { family, chain: r.chain, spec: r.spec, reason: 'fleet clear removes what fleet made' },
    })),
  );
  return { host: host.name, wanted: [], changes, warnings: [], notes: [], matched: 0 };
}

/** Applies each planned host that has changes, on the session planFleet left open. */
export async function applyFleet(
  results: HostResult[],
  opts: RunOptions,
  mode: Mode,
): Promise<HostResult[]> {
  const pending = results.filter(hasChanges);
  settled(await mapLimit(pending, opts.concurrency, async (result) => {
    const started = performance.now();
    const { host, facts, plan, session } = result;
    try {
      if (!facts || !plan || !session) throw new Error('applyFleet needs a planned host with an open session');
      const restores = mode === 'clear' ? clearRestores(facts) : planRestores(plan, facts);
      result.applied = await applyRules(host, session, facts, restores, plan.wanted, opts.persist);
      opts.progress?.(host.name, 'applied');
    } catch (err) {
      result.error = asHostError(host, 'apply', err);
      opts.progress?.(host.name, `failed: ${result.error.message}`);
    }
    result.seconds += (performance.now() - started) / 1000;
  }));
  return results;
}

function planRestores(plan: HostPlan, facts: HostFacts): Partial<Record<Family, string>> {
  return pick((family) => renderRestore(plan, facts, family));
}

function clearRestores(facts: HostFacts): Partial<Record<Family, string>> {
  return pick((family) => renderClear(facts, family));
}

function pick(render: (family: Family) => string | null): Partial<Record<Family, string>> {
  const out: Partial<Record<Family, string>> = {};
  for (const family of [4, 6] as const) {
    const text = render(family);
    if (text !== null) out[family] = text;
  }
  return out;
}

export async function finish(results: HostResult[]): Promise<void> {
  await Promise.all(results.map(closeSession));
}

async function closeSession(result: HostResult): Promise<void> {
  const session = result.session;
  result.session = undefined;
  await session?.close().catch(() => undefined);
}

function asHostError(host: HostSpec, step: string, err: unknown): HostError {
  if (err instanceof HostError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new HostError(host.name, step, `internal error: ${detail}`, 'please report this with --verbose output');
}
