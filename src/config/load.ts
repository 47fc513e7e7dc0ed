// The inventory and the policy directory, read and checked together: every problem in every file
// is reported at once, before any host is contacted.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, UserErrors } from '../errors.js';
import type { Inventory, Policy } from '../model.js';
import { parseInventory } from '../inventory/parse.js';
import { findConflicts } from '../policy/conflicts.js';
import { parsePolicy } from '../policy/parse.js';
import { compareText } from '../order.js';
import { sortErrors } from './report.js';

export interface TextFile {
  file: string;
  text: string;
}

export interface ConfigFiles {
  inventory: TextFile;
  policiesDir: string;
  /** The `.yaml` files of the policy directory. */
  policies: TextFile[];
}

export interface Config {
  inventory: Inventory;
  /** Every policy of the directory, by name; hosts name the ones they take. */
  policies: Policy[];
}

/** Pure: the files' text to a Config, or UserErrors with every problem found. */
export function parseConfig(files: ConfigFiles, home: string): Config {
  const parsed = files.policies.map((f) => parsePolicy(f.text, f.file));
  const policies = parsed.map((p) => p.policy).sort((a, b) => compareText(a.name, b.name));
  const ctx = { home, policies: policies.map((p) => p.name), policiesDir: files.policiesDir };
  const { inventory, errors } = parseInventory(files.inventory.text, files.inventory.file, ctx);
  const clean = parsed.filter((p) => p.errors.length === 0).map((p) => p.policy);
  const conflicts = findConflicts(inventory.hosts, clean);
  const all = [...errors, ...parsed.flatMap((p) => p.errors), ...conflicts];
  if (all.length > 0) throw new UserErrors(sortErrors(all));
  return { inventory, policies };
}

/** Reads the inventory file and the policy directory, then parseConfig. */
export async function loadConfig(
  paths: { inventory: string; policies: string },
  home: string,
): Promise<Config> {
  const inventory = await readText(paths.inventory, 'pass an inventory file with --inventory FILE');
  const names = await policyFileNames(paths.policies);
  const policies = await Promise.all(
    names.map((name) => readText(join(paths.policies, name), 'check the file\'s permissions')),
  );
  return parseConfig({ inventory, policiesDir: paths.policies, policies }, home);
}

async function readText(file: string, fix: string): Promise<TextFile> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (err) {
    throw new UserErrors([new UserError(undefined, file, `cannot read it: ${reason(err)}`, fix)]);
  }
}

/** `.yaml` files in name order; a `.yml` file is an error rather than silently left out. */
async function policyFileNames(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    const found = await readdir(dir, { withFileTypes: true });
    entries = found.filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    const fix = 'pass the directory of policy files with --policies DIR';
    throw new UserErrors([new UserError(undefined, dir, `cannot read it: ${reason(err)}`, fix)]);
  }
  const wrong = entries.filter((name) => name.endsWith('.yml'));
  if (wrong.length > 0) throw new UserErrors(wrong.map((name) => ymlError(dir, name)));
  return entries.filter((name) => name.endsWith('.yaml')).sort();
}

function ymlError(dir: string, name: string): UserError {
  const fix = `rename it to ${name.replace(/\.yml$/, '.yaml')}`;
  return new UserError(undefined, join(dir, name), 'policy files end in `.yaml`', fix);
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'not a directory';
  return err instanceof Error ? err.message : String(err);
}
