// known_hosts parsing and matching, on files written and hashed by OpenSSH's own ssh-keygen.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hostKeyAlgorithms } from '../../src/ssh/algorithms.js';
import {
  checkHostKey,
  fingerprint,
  formatKnownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/ssh/known-hosts.js';
import { keygen, sh, tempDir, type KeyPair } from '../ssh-support/tools.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let ed: KeyPair;
let ecdsa: KeyPair;
let rsa: KeyPair;
let other: KeyPair;

const blob = (k: KeyPair) => Buffer.from(k.publicKey.split(' ')[1]!, 'base64');

beforeAll(async () => {
  tmp = await tempDir('known-hosts');
  [ed, ecdsa, rsa, other] = await Promise.all([
    keygen(path.join(tmp.dir, 'ed'), 'ed25519'),
    keygen(path.join(tmp.dir, 'ecdsa'), 'ecdsa'),
    keygen(path.join(tmp.dir, 'rsa'), 'rsa'),
    keygen(path.join(tmp.dir, 'other'), 'ed25519'),
  ]);
});

afterAll(() => tmp.remove());

function plainFile(): string {
  return [
    '# fleet test hosts',
    '',
    `pi1,10.0.0.1 ${ed.publicKey} first key`,
    `pi1 ${ecdsa.publicKey}`,
    `pi1 ${rsa.publicKey}`,
    `[pi2.lan]:2222 ${ed.publicKey}`,
    `*.lan,!bad.lan ${ecdsa.publicKey}`,
    `@cert-authority *.corp ${other.publicKey}`,
    `@revoked * ${other.publicKey}`,
    `@bogus pi1 ${other.publicKey}`,
    'pi9 ssh-ed25519 not-base64-of-an-ed25519-key',
    'pi9 1024 35 1234567',
  ].join('\n');
}

describe('parseKnownHosts', () => {
  it('reads host lists, markers and comments, and skips what OpenSSH would skip', () => {
    const entries = parseKnownHosts(plainFile());
    expect(entries.map((e) => [e.line, e.marker ?? '', e.keyType])).toEqual([
      [3, '', 'ssh-ed25519'],
      [4, '', 'ecdsa-sha2-nistp256'],
      [5, '', 'ssh-rsa'],
      [6, '', 'ssh-ed25519'],
      [7, '', 'ecdsa-sha2-nistp256'],
      [8, 'cert-authority', 'ssh-ed25519'],
      [9, 'revoked', 'ssh-ed25519'],
    ]);
    expect(entries[0]!.hosts).toEqual({ patterns: ['pi1', '10.0.0.1'] });
  });
});

describe('checkHostKey', () => {
  const entries = () => parseKnownHosts(plainFile());

  it('knows each of a host’s keys of several types', () => {
    for (const [key, line] of [
      [ed, 3],
      [ecdsa, 4],
      [rsa, 5],
    ] as const) {
      expect(checkHostKey(entries(), 'pi1', blob(key))).toEqual({ kind: 'known', line });
    }
    expect(checkHostKey(entries(), '10.0.0.1', blob(ed))).toEqual({ kind: 'known', line: 3 });
  });

  it('calls a different key of a known type changed, and says where the known ones are', () => {
    const fresh = Buffer.concat([blob(ed).subarray(0, -1), Buffer.from([0])]);
    expect(checkHostKey(entries(), '10.0.0.1', fresh)).toEqual({
      kind: 'changed',
      lines: [3],
      sameType: true,
    });
    expect(checkHostKey(entries(), '10.0.0.1', blob(rsa))).toMatchObject({ sameType: false });
  });

  it('matches [host]:port entries only on that port', () => {
    expect(checkHostKey(entries(), knownHostsName('PI2.lan', 2222), blob(ed)).kind).toBe('known');
    expect(checkHostKey(entries(), knownHostsName('pi2.lan', 2223), blob(ed)).kind).toBe('unknown');
    expect(knownHostsName('pi2.lan', 22)).toBe('pi2.lan');
  });

  it('honours wildcards and negation in host lists', () => {
    expect(checkHostKey(entries(), 'pi7.lan', blob(ecdsa)).kind).toBe('known');
    expect(checkHostKey(entries(), 'bad.lan', blob(ecdsa)).kind).toBe('unknown');
  });

  it('refuses a revoked key and reports certificate authorities it cannot use', () => {
    expect(checkHostKey(entries(), 'pi1', blob(other))).toEqual({ kind: 'revoked', line: 9 });
    const unrevoked = parseKnownHosts(plainFile().replace(/^@revoked.*$/m, ''));
    expect(checkHostKey(unrevoked, 'x.corp', blob(ed))).toEqual({ kind: 'unknown', caLines: [8] });
  });

  it('lists the key types on record, for choosing the host key algorithm', () => {
    expect(knownKeyTypes(entries(), 'pi1')).toEqual([
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'ssh-rsa',
    ]);
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp256'])[0]).toBe('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithms(['ssh-rsa']).slice(0, 3)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(hostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });
});

describe('hashed entries made by ssh-keygen -H', () => {
  it('match the names that were hashed, and no others', async () => {
    const file = path.join(tmp.dir, 'hashed');
    await writeFile(file, `pi1,10.0.0.1 ${ed.publicKey}\n[pi2.lan]:2222 ${ecdsa.publicKey}\n`);
    await sh('ssh-keygen', ['-q', '-H', '-f', file]);
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/pi1|pi2/);

    const entries = parseKnownHosts(text);
    expect(entries.every((e) => 'hashed' in e.hosts)).toBe(true);
    expect(checkHostKey(entries, 'pi1', blob(ed)).kind).toBe('known');
    expect(checkHostKey(entries, '10.0.0.1', blob(ed)).kind).toBe('known');
    expect(checkHostKey(entries, '[pi2.lan]:2222', blob(ecdsa)).kind).toBe('known');
    expect(checkHostKey(entries, 'pi2.lan', blob(ecdsa)).kind).toBe('unknown');
    expect(checkHostKey(entries, 'pi1', blob(other)).kind).toBe('changed');
  });
});

describe('writing entries', () => {
  it('writes lines that ssh-keygen -F finds under the same name', async () => {
    const file = path.join(tmp.dir, 'written');
    const name = knownHostsName('127.0.0.1', 42222);
    await writeFile(file, formatKnownHostsLine(name, blob(ed)));
    const found = await sh('ssh-keygen', ['-F', name, '-f', file]);
    expect(found).toContain(`${name} ${ed.publicKey}`);
  });

  it('prints fingerprints as ssh-keygen -l does', async () => {
    const listed = await sh('ssh-keygen', ['-l', '-f', `${ed.file}.pub`]);
    expect(listed.split(' ')[1]).toBe(fingerprint(blob(ed)));
  });
});
