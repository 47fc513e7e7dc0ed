// Logging in: ssh-agent first, then key files in order, as OpenSSH does. Key files are read
// only when their turn comes, so a working agent means no passphrase prompt at all.
import { readFile } from 'node:fs/promises';

import ssh2, { type AuthHandlerMiddleware, type NextAuthHandler, type ParsedKey } from 'ssh2';

import type { Identity } from './route.js';

// ssh2 is CommonJS, and Node finds only some of its names for a named import.
const { utils } = ssh2;

type AuthMethod = Parameters<NextAuthHandler>[0];

export type LoadedKey =
  | { ok: true; key: ParsedKey }
  | { ok: false; missing: true }
  /** encrypted: it needs a passphrase and nobody can be asked. */
  | { ok: false; missing: false; encrypted: boolean; reason: string };

const MAX_PASSPHRASE_TRIES = 3;

type Prompt = (question: string) => Promise<string>;

/**
 * Reads and decrypts key files, each at most once per loader, so a passphrase is asked for
 * once even when many hosts connect at the same time. Passphrases are not kept.
 */
export class KeyLoader {
  private readonly keys = new Map<string, Promise<LoadedKey>>();

  load(file: string, prompt: Prompt | undefined): Promise<LoadedKey> {
    const cached = this.keys.get(file);
    if (cached) return cached;
    const loading = this.read(file, prompt);
    this.keys.set(file, loading);
    // Not kept: a later caller that can ask for the passphrase should get to ask.
    void loading.then((key) => {
      if (!key.ok && !key.missing && key.encrypted) this.keys.delete(file);
    });
    return loading;
  }

  private async read(file: string, prompt: Prompt | undefined): Promise<LoadedKey> {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { ok: false, missing: true };
      return { ok: false, missing: false, encrypted: false, reason: `cannot read (${code})` };
    }
    const plain = utils.parseKey(data);
    if (!(plain instanceof Error)) return checked(plain);
    if (!/no passphrase given/i.test(plain.message)) return unusable(plain);
    if (!prompt) {
      return { ok: false, missing: false, encrypted: true, reason: 'encrypted, no terminal' };
    }
    return this.decrypt(file, data, prompt);
  }

  private async decrypt(file: string, data: Buffer, prompt: Prompt): Promise<LoadedKey> {
    for (let i = 0; i < MAX_PASSPHRASE_TRIES; i++) {
      const passphrase = await prompt(`Enter passphrase for key '${file}': `).catch(() => '');
      if (passphrase === '') break;
      const parsed = utils.parseKey(data, passphrase);
      if (!(parsed instanceof Error)) return checked(parsed);
      if (!/bad passphrase/i.test(parsed.message)) return unusable(parsed);
    }
    return { ok: false, missing: false, encrypted: false, reason: 'no right passphrase given' };
  }
}

function checked(key: ParsedKey | ParsedKey[]): LoadedKey {
  const first = Array.isArray(key) ? key[0] : key;
  if (!first?.isPrivateKey()) {
    return { ok: false, missing: false, encrypted: false, reason: 'not a private key' };
  }
  return { ok: true, key: first };
}

// ssh2's parse errors name the problem with the file's format, never its contents.
function unusable(error: Error): LoadedKey {
  return { ok: false, missing: false, encrypted: false, reason: error.message };
}

// ---------------------------------------------------------------- the auth handler

export interface AuthPlan {
  user: string;
  agentSocket: string | undefined;
  identities: readonly Identity[];
  prompt: Prompt | undefined;
}

/** What happened while logging in, for the message when it fails. */
export interface AuthLog {
  tried: string[];
  /** Key files that could not be used, e.g. encrypted without a terminal. */
  skipped: { file: string; encrypted: boolean; reason: string }[];
  serverAccepts?: string[];
  /** Set when every method was used up, so the ssh2 error that follows means "denied". */
  exhausted: boolean;
}

interface Hooks {
  /** Around waiting for a key file (and maybe a person typing its passphrase). */
  waiting(busy: boolean): void;
  alive(): boolean;
}

export function makeAuthHandler(
  plan: AuthPlan,
  loader: KeyLoader,
  log: AuthLog,
  hooks: Hooks,
): AuthHandlerMiddleware {
  const steps: (() => Promise<AuthMethod | undefined>)[] = [];
  if (plan.agentSocket) {
    const agent = plan.agentSocket;
    steps.push(async () => {
      log.tried.push('ssh-agent');
      return { type: 'agent', username: plan.user, agent };
    });
  }
  for (const identity of plan.identities) {
    steps.push(() => keyStep(identity.file, plan, loader, log, hooks));
  }
  return (authsLeft, _partial, next) => {
    // On the first call ssh2 passes null: nothing is known about the server yet.
    if (authsLeft) log.serverAccepts = authsLeft;
    void nextStep(steps, authsLeft, log).then((method) => {
      // While a passphrase was typed, the connection may have been given up.
      if (hooks.alive()) next(method);
    });
  };
}

async function nextStep(
  steps: (() => Promise<AuthMethod | undefined>)[],
  authsLeft: readonly string[] | null,
  log: AuthLog,
): Promise<AuthMethod> {
  if (!authsLeft || authsLeft.includes('publickey')) {
    for (let step = steps.shift(); step; step = steps.shift()) {
      const method = await step();
      if (method) return method;
    }
  }
  log.exhausted = true;
  // ssh2 takes false for "no more methods", which its types leave out.
  return false as unknown as AuthMethod;
}

async function keyStep(
  file: string,
  plan: AuthPlan,
  loader: KeyLoader,
  log: AuthLog,
  hooks: Hooks,
): Promise<AuthMethod | undefined> {
  hooks.waiting(true);
  const loaded = await loader.load(file, plan.prompt).finally(() => hooks.waiting(false));
  if (loaded.ok) {
    log.tried.push(`key ${file}`);
    return { type: 'publickey', username: plan.user, key: loaded.key };
  }
  if (!loaded.missing) {
    log.skipped.push({ file, encrypted: loaded.encrypted, reason: loaded.reason });
  }
  return undefined;
}
