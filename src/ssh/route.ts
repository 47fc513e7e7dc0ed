// Where a connection goes, hop by hop: the inventory's HostSpec and ~/.ssh/config merged, and
// ProxyJump followed as OpenSSH does (`ProxyJump a,b`: a is reached by its own config, b
// through a, the host through b). No I/O beyond reading config through the given files.
import path from 'node:path';

import { UserError } from '../errors.js';
import type { HostSpec, Where } from '../model.js';
import {
  resolveSshConfig,
  type IdentityFileValue,
  type SshConfigContext,
  type SshConfigValues,
} from './ssh-config.js';

export type IdentitySource = 'inventory' | 'ssh config' | 'default';

export interface Identity {
  /** Expanded: `~` and `%` tokens replaced. */
  file: string;
  /** An inventory file that is missing is an error; others are skipped like OpenSSH does. */
  source: IdentitySource;
}

export interface Hop {
  /** The name the user knows this hop by: the inventory name, or the name in ProxyJump. */
  label: string;
  hostName: string;
  port: number;
  user: string;
  identities: Identity[];
}

export interface RouteContext extends SshConfigContext {
  /** undefined: no ssh config at all. */
  configFile: string | undefined;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const MAX_HOPS = 8;

/** Jump hosts first, the host itself last. */
export function planRoute(host: HostSpec, ctx: RouteContext): Hop[] {
  const config = lookup(ctx, host.address);
  // What the user wrote wins over ~/.ssh/config; what the inventory only defaulted does not.
  const defaulted = host.defaulted ?? [];
  const user = (defaulted.includes('user') ? config.user : undefined) ?? host.user;
  const port = (defaulted.includes('port') ? config.port : undefined) ?? host.port;
  const hostName = config.hostName ?? host.address.toLowerCase();
  const fromInventory: Identity[] = host.identityFile
    ? [{ file: expandHome(host.identityFile, ctx.homeDir), source: 'inventory' }]
    : [];
  const target: Hop = { label: host.name, hostName, port, user, identities: [] };
  target.identities = [...fromInventory, ...configIdentities(config.identityFiles, target, ctx)];
  if (target.identities.length === 0) target.identities = defaultIdentities(ctx.homeDir);

  const jumps = config.proxyJump ? jumpRoute(config.proxyJump, ctx, [host.address]) : [];
  return [...jumps, target];
}

function lookup(ctx: RouteContext, name: string): SshConfigValues {
  if (ctx.configFile === undefined) return { identityFiles: [] };
  return resolveSshConfig(ctx.configFile, name, ctx);
}

// ---------------------------------------------------------------- ProxyJump

interface JumpSpec {
  name: string;
  user?: string;
  port?: number;
}

function jumpRoute(
  proxyJump: { value: string; where: Where },
  ctx: RouteContext,
  seen: string[],
): Hop[] {
  const specs = proxyJump.value.split(',').map((s) => parseJump(s, proxyJump.where));
  const [first, ...rest] = specs;
  if (!first) throw new UserError(proxyJump.where, 'ProxyJump', 'names no host');
  return [
    ...routeTo(first, ctx, seen, proxyJump.where),
    ...rest.map((spec) => jumpHop(spec, lookup(ctx, spec.name), ctx)),
  ];
}

// The first jump host is reached the way `ssh` would reach it: its own ProxyJump counts.
function routeTo(spec: JumpSpec, ctx: RouteContext, seen: string[], where: Where): Hop[] {
  const chain = [...seen, spec.name];
  if (seen.includes(spec.name) || chain.length > MAX_HOPS) {
    throw new UserError(where, 'ProxyJump', `goes round in a loop: ${chain.join(' → ')}`);
  }
  const config = lookup(ctx, spec.name);
  const before = config.proxyJump ? jumpRoute(config.proxyJump, ctx, chain) : [];
  return [...before, jumpHop(spec, config, ctx)];
}

function jumpHop(spec: JumpSpec, config: SshConfigValues, ctx: RouteContext): Hop {
  const hop: Hop = {
    label: spec.name,
    hostName: config.hostName ?? spec.name.toLowerCase(),
    port: spec.port ?? config.port ?? 22,
    user: spec.user ?? config.user ?? ctx.localUser,
    identities: [],
  };
  hop.identities = configIdentities(config.identityFiles, hop, ctx);
  if (hop.identities.length === 0) hop.identities = defaultIdentities(ctx.homeDir);
  return hop;
}

/** `[user@]host[:port]`, also as `ssh://...` and with `[ipv6]`. */
export function parseJump(text: string, where: Where): JumpSpec {
  const found = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:@[\]]+)(?::(\d+))?$/.exec(text.trim());
  const port = found?.[3] === undefined ? undefined : Number(found[3]);
  if (!found || (port !== undefined && (port < 1 || port > 65535))) {
    throw new UserError(where, 'ProxyJump', `"${text}" is not [user@]host[:port]`);
  }
  return {
    name: found[2]!.replace(/^\[(.*)\]$/, '$1'),
    ...(found[1] ? { user: found[1] } : {}),
    ...(port ? { port } : {}),
  };
}

// ---------------------------------------------------------------- identity files

function configIdentities(
  values: readonly IdentityFileValue[],
  hop: Hop,
  ctx: RouteContext,
): Identity[] {
  return values.map((v) => ({ file: expandIdentity(v, hop, ctx), source: 'ssh config' }));
}

function defaultIdentities(homeDir: string): Identity[] {
  return DEFAULT_KEYS.map((name) => ({
    file: path.join(homeDir, '.ssh', name),
    source: 'default',
  }));
}

function expandIdentity(value: IdentityFileValue, hop: Hop, ctx: RouteContext): string {
  const tokens: Record<string, string> = {
    d: ctx.homeDir,
    h: hop.hostName,
    p: String(hop.port),
    r: hop.user,
    u: ctx.localUser,
    '%': '%',
  };
  const expanded = value.path.replace(/%(.)/g, (token, letter: string) => {
    const replacement = tokens[letter];
    if (replacement !== undefined) return replacement;
    throw new UserError(value.where, 'IdentityFile', `${token} is not supported here`);
  });
  return expandHome(expanded, ctx.homeDir);
}

function expandHome(file: string, homeDir: string): string {
  if (file === '~') return homeDir;
  return file.startsWith('~/') ? path.join(homeDir, file.slice(2)) : file;
}
