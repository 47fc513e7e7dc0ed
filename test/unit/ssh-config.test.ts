// ~/.ssh/config resolution and connection routes, checked against what OpenSSH's own
// `ssh -G` makes of the same files.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UserError } from '../../src/errors.js';
import type { HostSpec } from '../../src/model.js';
import { matchPattern, matchPatternList } from '../../src/ssh/patterns.js';
import { parseJump, planRoute, type RouteContext } from '../../src/ssh/route.js';
import { resolveSshConfig, type SshConfigContext } from '../../src/ssh/ssh-config.js';
import { sh, tempDir } from '../ssh-support/tools.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let home: string;
let configFile: string;

const CONFIG = `
# as a user might write it
Host pi? PI*
    HostName %h.lan
    User pi
    Port 2201
    IdentityFile ~/.ssh/pi_%r_%h

Host pi1
    User not-first
    IdentityFile %d/.ssh/second

Host db-* !db-test
  User=dbadmin
  ProxyJump admin@bastion:2022

Host "quoted" 'other'
  User "a user"  # comment after a value

Host behind
  ProxyJump bastion,inner

Host inner
  HostName 10.9.0.1
  ProxyJump nowhere

Host bastion
  HostName 127.0.0.7
  User jumper

Match originalhost=matched
  User by-match

Host loop1
  ProxyJump loop2
Host loop2
  ProxyJump loop1

Include conf.d/*.conf

Host *
  User default-user
  ProxyJump none
`;

function files(): SshConfigContext['files'] {
  return {
    read: (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined),
    list: (d) => (existsSync(d) ? readdirSync(d) : undefined),
  };
}

function ctx(): RouteContext {
  return { homeDir: home, localUser: 'me', files: files(), configFile };
}

beforeAll(async () => {
  tmp = await tempDir('ssh-config');
  home = tmp.dir;
  mkdirSync(path.join(home, '.ssh', 'conf.d'), { recursive: true });
  configFile = path.join(home, '.ssh', 'config');
  writeFileSync(configFile, CONFIG);
  writeFileSync(path.join(home, '.ssh', 'conf.d', '10-x.conf'), 'Host included\n  Port 2299\n');
  writeFileSync(path.join(home, '.ssh', 'conf.d', 'ignored.txt'), 'Host included\n  Port 1\n');
});

afterAll(() => tmp.remove());

/** What `ssh -G` says, for the keywords fleet uses. */
async function openssh(host: string): Promise<Record<string, string[]>> {
  const out = await sh('ssh', ['-T', '-G', '-F', configFile, host]);
  const values: Record<string, string[]> = {};
  for (const line of out.split('\n')) {
    const [key, ...rest] = line.split(' ');
    if (key) (values[key] ??= []).push(rest.join(' '));
  }
  return values;
}

describe('resolveSshConfig agrees with ssh -G', () => {
  for (const host of [
    'pi1',
    'pi2',
    'PI77',
    'db-main',
    'db-test',
    'quoted',
    'other',
    'matched',
    'included',
    'elsewhere',
  ]) {
    it(host, async () => {
      const ours = resolveSshConfig(configFile, host, {
        homeDir: home,
        localUser: 'me',
        files: files(),
      });
      const theirs = await openssh(host);
      expect(ours.hostName ?? host.toLowerCase()).toBe(theirs.hostname?.[0]);
      expect(ours.user).toBe(theirs.user?.[0]);
      expect(String(ours.port ?? 22)).toBe(theirs.port?.[0]);
      expect(ours.proxyJump?.value).toBe(theirs.proxyjump?.[0]);
      if (ours.identityFiles.length > 0) {
        expect(ours.identityFiles.map((i) => i.path)).toEqual(theirs.identityfile);
      }
    });
  }
});

describe('ssh config details', () => {
  const resolve = (text: string, host: string) => {
    const file = path.join(tmp.dir, `c${Math.random()}`);
    writeFileSync(file, text);
    return resolveSshConfig(file, host, { homeDir: home, localUser: 'me', files: files() });
  };

  it('rejects what it cannot honour, saying file and line', () => {
    expect(() => resolve('Host x\n  Port 99999\n', 'x')).toThrow(
      /:2:3: Port: "99999" is not a port/,
    );
    expect(() => resolve('Host x\n  ProxyCommand nc %h %p\n', 'x')).toThrow(UserError);
    expect(() => resolve('Host x\n  User "open\n', 'x')).toThrow(/quote is not closed/);
  });

  it('lets the first ProxyJump or ProxyCommand win, and none mean none', () => {
    expect(
      resolve('Host x\n ProxyJump none\n ProxyCommand nc %h %p\n', 'x').proxyJump,
    ).toBeUndefined();
    expect(resolve('Host x\n ProxyJump j\nHost *\n ProxyCommand nc\n', 'x').proxyJump?.value).toBe(
      'j',
    );
  });
});

describe('patterns', () => {
  it('treat * as any run and ? as exactly one character', () => {
    expect(matchPattern('pi1', 'pi?')).toBe(true);
    expect(matchPattern('pi', 'pi?')).toBe(false);
    expect(matchPattern('pi12', 'pi?')).toBe(false);
    expect(matchPattern('a.b.c', '*.c')).toBe(true);
    expect(matchPattern('abc', 'a*b*c*')).toBe(true);
    expect(matchPatternList('x.lan', ['*.lan', '!x.lan'])).toBe(false);
    expect(matchPatternList('y.lan', ['!x.lan'])).toBe(false);
  });
});

// ---------------------------------------------------------------- routes

function spec(over: Partial<HostSpec> = {}): HostSpec {
  return {
    name: 'inv-name',
    address: 'pi1',
    port: 22,
    user: 'inventory-user',
    knownHostsFile: '/dev/null',
    sudo: false,
    policies: [],
    groups: [],
    where: { file: 'inventory.yml', line: 1, col: 1 },
    ...over,
  };
}

describe('planRoute', () => {
  it('lets HostSpec values win unless they are only defaults', () => {
    const [explicit] = planRoute(spec(), ctx());
    expect(explicit).toMatchObject({ hostName: 'pi1.lan', user: 'inventory-user', port: 22 });
    const [defaulted] = planRoute(spec({ defaulted: ['user', 'port'] }), ctx());
    expect(defaulted).toMatchObject({
      hostName: 'pi1.lan',
      user: 'pi',
      port: 2201,
      label: 'inv-name',
    });
  });

  it('tries the inventory key first, then ssh config’s, each expanded', () => {
    const [hop] = planRoute(spec({ identityFile: '~/.ssh/fleet' }), ctx());
    expect(hop!.identities).toEqual([
      { file: path.join(home, '.ssh/fleet'), source: 'inventory' },
      { file: path.join(home, '.ssh/pi_inventory-user_pi1.lan'), source: 'ssh config' },
      { file: path.join(home, '.ssh/second'), source: 'ssh config' },
    ]);
  });

  it('falls back to the default keys when nothing names one', () => {
    const [hop] = planRoute(spec({ address: '10.1.1.1' }), ctx());
    expect(hop!.identities.map((i) => path.basename(i.file))).toEqual([
      'id_ed25519',
      'id_ecdsa',
      'id_rsa',
    ]);
    expect(hop!.hostName).toBe('10.1.1.1');
  });

  it('follows ProxyJump with the jump spec winning over the jump host’s config', () => {
    const route = planRoute(spec({ address: 'db-main' }), ctx());
    expect(route.map((h) => [h.label, h.hostName, h.port, h.user])).toEqual([
      ['bastion', '127.0.0.7', 2022, 'admin'],
      ['inv-name', 'db-main', 22, 'inventory-user'],
    ]);
  });

  it('reaches the first of several jump hosts by its own config, the others through it', () => {
    const route = planRoute(spec({ address: 'behind' }), ctx());
    expect(route.map((h) => h.label)).toEqual(['bastion', 'inner', 'inv-name']);
    expect(route[0]).toMatchObject({ user: 'jumper', port: 22 });
  });

  it('stops a ProxyJump loop with the line that causes it', () => {
    expect(() => planRoute(spec({ address: 'loop1' }), ctx())).toThrow(
      /config:\d+:\d+: ProxyJump: goes round in a loop: loop1 → loop2 → loop1/,
    );
  });

  it('connects directly without any ssh config', () => {
    const route = planRoute(spec(), { ...ctx(), configFile: undefined });
    expect(route).toHaveLength(1);
    expect(route[0]).toMatchObject({ hostName: 'pi1', user: 'inventory-user' });
  });
});

describe('parseJump', () => {
  const where = { file: 'f', line: 1, col: 1 };
  it('reads the forms OpenSSH takes', () => {
    expect(parseJump('host', where)).toEqual({ name: 'host' });
    expect(parseJump('u@host:2200', where)).toEqual({ name: 'host', user: 'u', port: 2200 });
    expect(parseJump('ssh://u@[fd00::1]:22', where)).toEqual({
      name: 'fd00::1',
      user: 'u',
      port: 22,
    });
    expect(() => parseJump('host:99999', where)).toThrow(/not \[user@\]host\[:port\]/);
  });
});
