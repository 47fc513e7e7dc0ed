// The part of ~/.ssh/config that decides where and as whom fleet connects: Host blocks (with
// `*`, `?` and `!`), a little of Match, Include, and HostName, User, Port, IdentityFile,
// ProxyJump. Like OpenSSH, the first value obtained for a keyword wins (IdentityFile adds up).
// No I/O here: files are read through the SshConfigFiles given.
import path from 'node:path';

import { UserError } from '../errors.js';
import type { Where } from '../model.js';
import { matchPattern, matchPatternList } from './patterns.js';
import { parsedWhileUnchanged } from './reparse.js';

export interface SshConfigLine {
  /** Lowercased, as OpenSSH compares keywords. */
  keyword: string;
  args: string[];
  where: Where;
}

export interface SshConfigFiles {
  /** The file's text, or undefined when it does not exist. */
  read(file: string): string | undefined;
  /** File names in a folder, or undefined when it does not exist. */
  list(dir: string): string[] | undefined;
}

export interface SshConfigContext {
  homeDir: string;
  localUser: string;
  files: SshConfigFiles;
}

export interface IdentityFileValue {
  /** As written, `~` and `%` tokens not yet expanded (they need the final host and user). */
  path: string;
  where: Where;
}

export interface SshConfigValues {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: IdentityFileValue[];
  /** `none` already removed: undefined means connect directly. */
  proxyJump?: { value: string; where: Where };
}

function parseSshConfig(text: string, file: string): SshConfigLine[] {
  const lines: SshConfigLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = parseLine(raw, { file, line: i + 1, col: raw.search(/\S/) + 1 });
    if (line) lines.push(line);
  });
  return lines;
}

// Read again for every host and jump host; parsed again only when its text changed.
const parsedConfig = parsedWhileUnchanged(parseSshConfig);

function parseLine(raw: string, where: Where): SshConfigLine | undefined {
  const found = /^\s*([^\s=]+)\s*(?:=\s*)?(.*)$/.exec(raw);
  if (!found || found[1]!.startsWith('#')) return undefined;
  const args = splitArgs(found[2]!);
  if (!args) throw new UserError(where, found[1]!, 'a quote is not closed');
  return { keyword: found[1]!.toLowerCase(), args, where };
}

// Arguments split like OpenSSH does: blanks separate, quotes group, backslash escapes a quote,
// a backslash or (outside quotes) a blank, and a `#` that starts an argument starts a comment.
function splitArgs(text: string): string[] | undefined {
  const args: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\\' && next !== undefined && (`"'\\`.includes(next) || (!quote && next === ' '))) {
      current = (current ?? '') + next;
      i++;
    } else if (quote) {
      if (c === quote) quote = undefined;
      else current = (current ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      current ??= '';
    } else if (/\s/.test(c)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else if (c === '#' && current === undefined) {
      break;
    } else {
      current = (current ?? '') + c;
    }
  }
  if (quote) return undefined;
  if (current !== undefined) args.push(current);
  return args;
}

// ---------------------------------------------------------------- resolving one host

interface Walk {
  host: string;
  ctx: SshConfigContext;
  values: SshConfigValues;
  /** ProxyJump and ProxyCommand share one slot: whichever comes first wins. */
  proxySet: boolean;
  depth: number;
}

/** The values ~/.ssh/config gives `host` (the name fleet would type after `ssh`). */
export function resolveSshConfig(
  file: string,
  host: string,
  ctx: SshConfigContext,
): SshConfigValues {
  const walk: Walk = { host, ctx, values: { identityFiles: [] }, proxySet: false, depth: 0 };
  const text = ctx.files.read(file);
  if (text !== undefined) walkLines(walk, parsedConfig(file, text));
  return walk.values;
}

function walkLines(walk: Walk, lines: readonly SshConfigLine[]): void {
  let active = true;
  for (const line of lines) {
    if (line.keyword === 'host') active = matchPatternList(walk.host, line.args);
    else if (line.keyword === 'match') active = matchBlock(walk, line);
    else if (active) applyLine(walk, line);
  }
}

const KEYWORDS = new Set([
  'include',
  'hostname',
  'user',
  'port',
  'identityfile',
  'proxyjump',
  'proxycommand',
]);

function applyLine(walk: Walk, line: SshConfigLine): void {
  if (!KEYWORDS.has(line.keyword)) return;
  const { values } = walk;
  const value = line.args[0];
  if (value === undefined) throw new UserError(line.where, line.keyword, 'needs a value');
  switch (line.keyword) {
    case 'include':
      return include(walk, line);
    case 'hostname':
      values.hostName ??= expandHostName(value, walk.host, line.where).toLowerCase();
      return;
    case 'user':
      values.user ??= value;
      return;
    case 'port':
      values.port ??= parsePort(value, line.where);
      return;
    case 'identityfile':
      values.identityFiles.push({ path: value, where: line.where });
      return;
    case 'proxyjump':
    case 'proxycommand':
      return setProxy(walk, line);
  }
}

function setProxy(walk: Walk, line: SshConfigLine): void {
  if (walk.proxySet) return;
  walk.proxySet = true;
  if (line.args[0] === 'none') return;
  if (line.keyword === 'proxycommand') {
    throw new UserError(
      line.where,
      'ProxyCommand',
      'fleet does not run proxy commands',
      'use ProxyJump',
    );
  }
  walk.values.proxyJump = { value: line.args[0]!, where: line.where };
}

function parsePort(value: string, where: Where): number {
  const port = Number(value);
  if (/^\d+$/.test(value) && port >= 1 && port <= 65535) return port;
  throw new UserError(where, 'Port', `"${value}" is not a port number (1-65535)`);
}

function expandHostName(value: string, host: string, where: Where): string {
  return value.replace(/%(.)/g, (token, letter: string) => {
    if (letter === 'h') return host;
    if (letter === '%') return '%';
    throw new UserError(where, 'HostName', `${token} is not allowed here (only %h and %%)`);
  });
}

// Only the criteria that need no command and no DNS are understood; a Match line with any
// other criterion counts as not matching.
// TODO: a `Match` line using exec, canonical, final, user or localnetwork never matches here, so
// the settings under it are ignored where OpenSSH would apply them; evaluate those criteria too.
function matchBlock(walk: Walk, line: SshConfigLine): boolean {
  // Both `host x` and `host=x` are OpenSSH's.
  const args = line.args.flatMap((arg) => {
    const at = arg.indexOf('=');
    return at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg];
  });
  while (args.length > 0) {
    const raw = args.shift()!.toLowerCase();
    const negate = raw.startsWith('!');
    const criterion = negate ? raw.slice(1) : raw;
    if (criterion === 'all') continue;
    const subject = matchSubject(walk, criterion);
    const list = args.shift();
    if (subject === undefined || list === undefined) return false;
    if (matchPatternList(subject, list.split(',')) === negate) return false;
  }
  return true;
}

function matchSubject(walk: Walk, criterion: string): string | undefined {
  if (criterion === 'host') return walk.values.hostName ?? walk.host.toLowerCase();
  if (criterion === 'originalhost') return walk.host;
  if (criterion === 'localuser') return walk.ctx.localUser;
  return undefined;
}

// Included files start active and cannot change whether the including block is active.
function include(walk: Walk, line: SshConfigLine): void {
  if (walk.depth >= 16) throw new UserError(line.where, 'Include', 'nested too deeply (16 levels)');
  for (const file of line.args.flatMap((arg) => includedFiles(walk.ctx, arg, line.where))) {
    const text = walk.ctx.files.read(file);
    if (text === undefined) continue;
    walk.depth++;
    walkLines(walk, parsedConfig(file, text));
    walk.depth--;
  }
}

function includedFiles(ctx: SshConfigContext, arg: string, where: Where): string[] {
  const home = arg.startsWith('~/') ? path.join(ctx.homeDir, arg.slice(2)) : arg;
  const full = path.resolve(ctx.homeDir, '.ssh', home);
  const dir = path.dirname(full);
  const base = path.basename(full);
  if (/[*?]/.test(dir)) {
    throw new UserError(where, 'Include', 'wildcards are supported in the file name only');
  }
  if (!/[*?]/.test(base)) return [full];
  const names = (ctx.files.list(dir) ?? []).filter((n) => !n.startsWith('.'));
  return names
    .filter((n) => matchPattern(n, base))
    .sort()
    .map((n) => path.join(dir, n));
}
