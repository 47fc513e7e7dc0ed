// Host key checking against the inventory's known_hosts file, strict unless acceptNew.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type { HostError } from '../errors.js';
import {
  checkHostKey,
  formatKnownHostsLine,
  parseKnownHosts,
  type KnownHostEntry,
} from './known-hosts.js';
import { changedHostKey, revokedHostKey, unknownHostKey, type HostKeyContext } from './messages.js';
import { parsedWhileUnchanged } from './reparse.js';

/** A missing file is an empty one: every host in it is unknown. */
export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parsed(file, await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

const parsed = parsedWhileUnchanged((text) => parseKnownHosts(text));

/** undefined when the key may be used; the reason to refuse it otherwise. */
export async function verifyHostKey(
  c: HostKeyContext,
  acceptNew: boolean,
): Promise<HostError | undefined> {
  const verdict = checkHostKey(await readKnownHosts(c.file), c.name, c.key);
  switch (verdict.kind) {
    case 'known':
      return undefined;
    case 'revoked':
      return revokedHostKey(c, verdict.line);
    case 'changed':
      return changedHostKey(c, verdict.lines, verdict.sameType);
    case 'unknown':
      return acceptNew ? addHostKey(c) : unknownHostKey(c, verdict.caLines);
  }
}

// Appends go one at a time per file, and each looks again first: two connections to the same
// new host must not add it twice, nor add a key that another one just recorded differently.
const appending = new Map<string, Promise<unknown>>();

function addHostKey(c: HostKeyContext): Promise<HostError | undefined> {
  const previous = appending.get(c.file) ?? Promise.resolve();
  const next = previous.then(() => appendIfStillUnknown(c));
  appending.set(
    c.file,
    next.catch(() => undefined),
  );
  return next;
}

async function appendIfStillUnknown(c: HostKeyContext): Promise<HostError | undefined> {
  const text = await readFile(c.file, 'utf8').catch(() => '');
  const verdict = checkHostKey(parsed(c.file, text), c.name, c.key);
  if (verdict.kind !== 'unknown') return verifyHostKey(c, false);
  await mkdir(path.dirname(c.file), { recursive: true, mode: 0o700 });
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await appendFile(c.file, separator + formatKnownHostsLine(c.name, c.key), { mode: 0o600 });
  return undefined;
}
