// The command line: parse options, load and validate the user's files, run a command across the
// selected hosts, print results on stdout and progress on stderr, and return the exit status.
import { Command, Option } from 'commander';
import { HostError, UserError, UserErrors } from './errors.js';
import { loadConfig } from './config/load.js';
import type { HostSpec, Policy } from './model.js';
import { colors, applyTable, diffTable, failures, renderPlans } from './report/text.js';
import { toJson } from './report/json.js';
import { applyFleet, finish, hasChanges, planFleet, type HostResult, type Mode, type RunOptions } from './run/fleet.js';
import { selectHosts } from './run/select.js';
import { renderStatus } from './report/status.js';
import type { Transport } from './ssh/index.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Both stdin and stdout are terminals: fleet may ask questions. */
  interactive: boolean;
  color: boolean;
  ask: (question: string) => Promise<string>;
  askSecret?: (question: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
  home: string;
}

export interface Deps {
  transport: Transport;
  io: Io;
}

/** Exit statuses: 0 done (and, for diff, in sync), 1 something failed, 2 diff found changes. */
export const EXIT = { ok: 0, failed: 1, pending: 2 } as const;

interface Common {
  inventory: string;
  policies: string;
  limit?: string;
  concurrency: string;
  connectTimeout: string;
  commandTimeout: string;
  acceptNew?: boolean;
  json?: boolean;
  color: boolean;
  verbose?: boolean;
}

export async function main(argv: string[], deps: Deps): Promise<number> {
  let status: number = EXIT.ok;
  const program = buildProgram(deps, (code) => (status = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return reportError(err, deps.io, argv.includes('--verbose'));
  }
  return status;
}

function buildProgram(deps: Deps, exit: (code: number) => void): Command {
  const program = new Command('fleet')
    .description('Decide which computers may reach which Docker containers, over plain SSH')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: deps.io.stdout, writeErr: deps.io.stderr });
  const run = (fn: (opts: Common & Record<string, unknown>) => Promise<number>) => async (opts: Common) =>
    exit(await fn(opts as Common & Record<string, unknown>));

  withCommon(program.command('validate'))
    .description('check the inventory and policies; contact no host')
    .action(run((opts) => validate(opts, deps)));
  withCommon(program.command('diff'))
    .description('show what apply would change on each host (exit 0 in sync, 2 changes pending, 1 failed)')
    .action(run((opts) => diff(opts, deps)));
  changing(withCommon(program.command('apply')), 'apply')
    .description('apply the plan on each host atomically, verify it and persist it')
    .action(run((opts) => change(opts, deps, 'plan')));
  withCommon(program.command('status'))
    .description('per published port: its policy, who may reach it, refused packets, persistence')
    .action(run((opts) => status(opts, deps)));
  changing(withCommon(program.command('clear')), 'clear')
    .description("remove everything fleet made on the selected hosts, and persist that")
    .action(run((opts) => change(opts, deps, 'clear')));
  return program;
}

/** The options of the commands that change hosts: they ask first, and persist unless told not to. */
function changing(cmd: Command, verb: string): Command {
  return cmd
    .option('-y, --yes', `${verb} without asking`)
    .option('--no-persist', 'change the live rules only; skip netfilter-persistent save');
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <file>', 'inventory of hosts', 'inventory/hosts.yaml')
    .option('-p, --policies <dir>', 'directory of policies, one per file', 'policies')
    .option('-l, --limit <patterns>', 'only hosts or groups matching these comma-separated globs')
    .option('-c, --concurrency <n>', 'hosts worked on at once', '50')
    .option('--connect-timeout <seconds>', 'give up connecting to a host after this long', '10')
    .option('--command-timeout <seconds>', 'give up on a remote command after this long', '60')
    .option('--accept-new', 'add unknown host keys to the known hosts file (never changed ones)')
    .option('--json', 'print results as JSON for scripts')
    .addOption(new Option('--no-color', 'plain output even on a terminal'))
    .option('-v, --verbose', 'show stack traces of internal errors');
}

interface Loaded {
  hosts: HostSpec[];
  policies: Policy[];
}

async function load(opts: Common, deps: Deps): Promise<Loaded> {
  const { inventory, policies } = await loadConfig({ inventory: opts.inventory, policies: opts.policies }, deps.io.home);
  return { hosts: selectHosts(inventory, opts.limit), policies };
}

async function validate(opts: Common, deps: Deps): Promise<number> {
  const { hosts, policies } = await load(opts, deps);
  const groups = new Set(hosts.flatMap((h) => h.groups));
  deps.io.stdout(`ok: ${hosts.length} hosts, ${groups.size} groups, ${policies.length} policies\n`);
  for (const h of hosts) deps.io.stdout(`  ${h.name}  ${h.user}@${h.address}:${h.port}  [${h.policies.join(', ')}]\n`);
  return EXIT.ok;
}

function runOptions(opts: Common & { persist?: unknown }, deps: Deps): RunOptions {
  const seconds = (name: string, value: string) => positive(name, value) * 1000;
  return {
    concurrency: positive('--concurrency', opts.concurrency),
    persist: opts.persist !== false,
    connect: {
      connectTimeoutMs: seconds('--connect-timeout', opts.connectTimeout),
      commandTimeoutMs: seconds('--command-timeout', opts.commandTimeout),
      keepaliveIntervalMs: 15_000,
      acceptNew: opts.acceptNew === true,
      env: deps.io.env,
      homeDir: deps.io.home,
      prompt: deps.io.interactive ? deps.io.askSecret : undefined,
    },
    progress: opts.json ? undefined : (host, what) => deps.io.stderr(`${host}: ${what}\n`),
  };
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(undefined, name, `\`${value}\` is not a positive number`);
  return n;
}

async function diff(opts: Common, deps: Deps): Promise<number> {
  const { hosts, policies } = await load(opts, deps);
  const results = await planFleet(hosts, policies, deps.transport, { ...runOptions(opts, deps), persist: false }, 'plan', false);
  printPlan(results, opts, deps, 'diff');
  if (results.some((r) => r.error)) return EXIT.failed;
  return results.some(hasChanges) ? EXIT.pending : EXIT.ok;
}

function printPlan(results: HostResult[], opts: Common, deps: Deps, command: string): void {
  if (opts.json) return deps.io.stdout(toJson(command, results));
  const c = colors(opts.color && deps.io.color);
  deps.io.stdout(`${renderPlans(results, c)}\n${diffTable(results, c)}\n`);
  const failed = failures(results, c);
  if (failed) deps.io.stdout(`${failed}\n`);
}

async function change(opts: Common & { yes?: boolean }, deps: Deps, mode: Mode): Promise<number> {
  const { hosts, policies } = await load(opts, deps);
  const run = runOptions(opts, deps);
  const results = await planFleet(hosts, policies, deps.transport, run, mode, true);
  try {
    if (!opts.json) printPlan(results, opts, deps, mode === 'clear' ? 'clear' : 'apply');
    const pending = results.filter(hasChanges);
    if (pending.length > 0 && !(await confirmed(opts, deps, pending.length, mode))) return EXIT.failed;
    await applyFleet(results, run, mode);
  } finally {
    await finish(results);
  }
  printApplied(results, opts, deps, mode);
  return results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
}

async function confirmed(opts: { yes?: boolean }, deps: Deps, count: number, mode: Mode): Promise<boolean> {
  if (opts.yes) return true;
  const verb = mode === 'clear' ? 'Clear fleet\'s rules on' : 'Apply these changes to';
  if (!deps.io.interactive) {
    deps.io.stderr(`refusing to change ${count} host(s) without a terminal to confirm on; pass --yes\n`);
    return false;
  }
  const answer = await deps.io.ask(`${verb} ${count} host(s)? [y/N] `);
  if (/^y(es)?$/i.test(answer.trim())) return true;
  deps.io.stderr('nothing changed\n');
  return false;
}

function printApplied(results: HostResult[], opts: Common, deps: Deps, mode: Mode): void {
  if (opts.json) return deps.io.stdout(toJson(mode === 'clear' ? 'clear' : 'apply', results));
  const c = colors(opts.color && deps.io.color);
  const changed = results.filter((r) => r.applied).length;
  if (changed === 0 && !results.some((r) => r.error)) deps.io.stdout('nothing to change: every host is in sync\n');
  deps.io.stdout(`${applyTable(results, c)}\n`);
  const failed = failures(results, c);
  if (failed) deps.io.stdout(`${failed}\n`);
}

async function status(opts: Common, deps: Deps): Promise<number> {
  const { hosts, policies } = await load(opts, deps);
  const results = await planFleet(hosts, policies, deps.transport, { ...runOptions(opts, deps), persist: false }, 'plan', false);
  if (opts.json) deps.io.stdout(toJson('status', results));
  else deps.io.stdout(renderStatus(results, policies, colors(opts.color && deps.io.color)));
  return results.some((r) => r.error) ? EXIT.failed : EXIT.ok;
}

function reportError(err: unknown, io: Io, verbose: boolean): number {
  const code = (err as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version') return EXIT.ok;
  if (code?.startsWith('commander.')) return EXIT.failed;
  if (err instanceof UserErrors || err instanceof UserError || err instanceof HostError) {
    io.stderr(`${err.message}\n`);
    return EXIT.failed;
  }
  io.stderr(`fleet: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (verbose && err instanceof Error) io.stderr(`${err.stack}\n`);
  else io.stderr('(run again with --verbose for the stack trace, and please report it)\n');
  return EXIT.failed;
}
