// known_hosts in OpenSSH's format, read and matched without I/O. One line is
// `[@marker] hosts keytype base64 [comment]`, where hosts is a comma list of patterns or one
// hashed name `|1|salt|hmac-sha1(salt, name)`.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { matchPatternList } from './patterns.js';

export type Marker = 'cert-authority' | 'revoked';

export interface KnownHostEntry {
  /** 1-based line in the file. */
  line: number;
  marker?: Marker;
  hosts: { hashed: { salt: Buffer; hash: Buffer } } | { patterns: string[] };
  keyType: string;
  /** The key as sent on the wire: type string, then the key's own fields. */
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const entry = parseLine(raw.trim(), i + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

// Lines OpenSSH would skip (unknown markers, old RSA1 keys, bad base64) are skipped here too.
function parseLine(text: string, line: number): KnownHostEntry | undefined {
  if (text === '' || text.startsWith('#')) return undefined;
  const fields = text.split(/\s+/);
  let marker: Marker | undefined;
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift();
    if (word !== '@cert-authority' && word !== '@revoked') return undefined;
    marker = word === '@revoked' ? 'revoked' : 'cert-authority';
  }
  const [hostField, keyType, base64] = fields;
  if (!hostField || !keyType || !base64) return undefined;
  const hosts = parseHosts(hostField);
  const key = Buffer.from(base64, 'base64');
  if (!hosts || keyTypeOf(key) !== keyType) return undefined;
  return { line, ...(marker ? { marker } : {}), hosts, keyType, key };
}

function parseHosts(field: string): KnownHostEntry['hosts'] | undefined {
  if (!field.startsWith('|')) return { patterns: field.toLowerCase().split(',') };
  const [, magic, salt, hash] = field.split('|');
  if (magic !== '1' || !salt || !hash) return undefined;
  return { hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') } };
}

/** The type string at the start of a wire-format key, or undefined when it is malformed. */
export function keyTypeOf(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const length = key.readUInt32BE(0);
  if (length === 0 || 4 + length > key.length) return undefined;
  return key.subarray(4, 4 + length).toString('latin1');
}

/** The name a host goes by in known_hosts: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

function matchesName(entry: KnownHostEntry, name: string): boolean {
  if ('hashed' in entry.hosts) {
    const { salt, hash } = entry.hosts.hashed;
    const digest = createHmac('sha1', salt).update(name).digest();
    return digest.length === hash.length && timingSafeEqual(digest, hash);
  }
  return matchPatternList(name, entry.hosts.patterns);
}

export type HostKeyVerdict =
  | { kind: 'known'; line: number }
  | { kind: 'revoked'; line: number }
  /** caLines: `@cert-authority` lines for the host, which fleet cannot use (no certificates). */
  | { kind: 'unknown'; caLines: number[] }
  /** lines: the keys on record for the host; sameType: one of them is of the offered type. */
  | { kind: 'changed'; lines: number[]; sameType: boolean };

/** Judges the key a host offered against the entries for its known_hosts name. */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  key: Buffer,
): HostKeyVerdict {
  const mine = entries.filter((e) => matchesName(e, name));
  const revoked = mine.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { kind: 'revoked', line: revoked.line };

  const plain = mine.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { kind: 'known', line: same.line };
  if (plain.length === 0) {
    const caLines = mine.filter((e) => e.marker === 'cert-authority').map((e) => e.line);
    return { kind: 'unknown', caLines };
  }
  const sameType = plain.some((e) => e.keyType === keyTypeOf(key));
  return { kind: 'changed', lines: plain.map((e) => e.line), sameType };
}

/** Key types on record for a name, in file order, without repeats. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries
    .filter((e) => e.marker === undefined && matchesName(e, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** One line to append, the way ssh-keyscan prints it (unhashed). */
export function formatKnownHostsLine(name: string, key: Buffer): string {
  return `${name} ${keyTypeOf(key) ?? 'unknown'} ${key.toString('base64')}\n`;
}

/** `SHA256:...` as ssh-keygen -l prints it. */
export function fingerprint(key: Buffer): string {
  const digest = createHash('sha256').update(key).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
