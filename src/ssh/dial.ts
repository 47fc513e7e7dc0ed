// Opening one SSH connection to one hop with ssh2: host key checked, logged in, or a HostError
// that says why not. The caller strings hops together (see ssh2-transport.ts).
import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';

import { Client, type ConnectConfig, type NegotiatedAlgorithms } from 'ssh2';

import type { HostError } from '../errors.js';
import { hostKeyAlgorithms, KEX } from './algorithms.js';
import { makeAuthHandler, type AuthLog, type KeyLoader } from './auth.js';
import { readKnownHosts, verifyHostKey } from './host-keys.js';
import { knownHostsName, knownKeyTypes } from './known-hosts.js';
import { Deadline } from './deadline.js';
import * as m from './messages.js';
import type { Hop } from './route.js';
import type { Negotiated } from './transport.js';

export interface DialParams {
  /** The inventory name, which every error starts with. */
  host: string;
  hop: Hop;
  jump: boolean;
  knownHostsFile: string;
  acceptNew: boolean;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  agentSocket: string | undefined;
  loader: KeyLoader;
  prompt: ((question: string) => Promise<string>) | undefined;
  /** An open connection to the previous hop, to reach this one through. */
  via?: { client: Client; label: string };
}

export interface Dialed {
  client: Client;
  negotiated: Negotiated;
}

export async function dial(p: DialParams): Promise<Dialed> {
  const hopName = { ...p.hop, jump: p.jump };
  const identities = p.hop.identities.filter((i) => existsSync(i.file));
  const missing = p.hop.identities.find((i) => i.source === 'inventory' && !identities.includes(i));
  if (missing) throw m.identityMissing(p.host, hopName, missing.file);
  if (!p.agentSocket && identities.length === 0) {
    throw m.noCredentials(
      p.host,
      hopName,
      p.hop.identities.map((i) => i.file),
    );
  }
  const name = knownHostsName(p.hop.hostName, p.hop.port);
  const entries = await readKnownHosts(p.knownHostsFile).catch((error: Error) => {
    throw m.knownHostsUnreadable(
      { host: p.host, hop: hopName, file: p.knownHostsFile },
      error.message,
    );
  });
  return new Dial(p, { ...p.hop, identities }, name, knownKeyTypes(entries, name)).run();
}

class Dial {
  private readonly client = new Client();
  private readonly hopName: m.HopName;
  private readonly log: AuthLog = { tried: [], skipped: [], exhausted: false };
  private readonly deadline: Deadline;
  private phase: m.ConnectPhase = 'tcp';
  private settled = false;
  private hostKeyError?: HostError;
  private acceptedKey?: Buffer;
  private negotiated?: Negotiated;
  private resolve!: (dialed: Dialed) => void;
  private reject!: (error: HostError) => void;

  constructor(
    private readonly p: DialParams,
    private readonly hop: Hop,
    private readonly name: string,
    private readonly knownTypes: string[],
  ) {
    this.hopName = { ...hop, jump: p.jump };
    this.deadline = new Deadline(p.connectTimeoutMs, () => this.timedOut());
  }

  run(): Promise<Dialed> {
    const done = new Promise<Dialed>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.listen();
    if (this.p.via) void this.forward(this.p.via).then((sock) => sock && this.connect(sock));
    else this.connect(undefined);
    return done;
  }

  private listen(): void {
    this.client
      .on('connect', () => (this.phase = 'handshake'))
      .on('handshake', (n) => this.onHandshake(n))
      .on('ready', () => this.succeed())
      .on('error', (error) => this.onError(error))
      .on('close', () => this.closed());
  }

  private forward(via: { client: Client; label: string }): Promise<Duplex | undefined> {
    const { hostName, port } = this.hop;
    return new Promise((resolve) => {
      via.client.forwardOut('127.0.0.1', 0, hostName, port, (error, stream) => {
        if (!error) return resolve(stream);
        const reason = error.message.replace(/^\(SSH\) Channel open failure: /, '');
        this.fail(
          m.unreachable(this.p.host, this.hopName, `${reason}, says jump host ${via.label}`),
        );
        resolve(undefined);
      });
    });
  }

  private connect(sock: Duplex | undefined): void {
    if (this.settled) return;
    try {
      this.client.connect(this.config(sock));
    } catch (error) {
      this.fail(m.connectFailed(this.p.host, this.hopName, (error as Error).message));
    }
  }

  private config(sock: Duplex | undefined): ConnectConfig {
    return {
      host: this.hop.hostName,
      port: this.hop.port,
      username: this.hop.user,
      ...(sock ? { sock } : {}),
      // Our own Deadline replaces readyTimeout, which would also count the time a person
      // takes to type a passphrase.
      readyTimeout: 0,
      keepaliveInterval: this.p.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      algorithms: { kex: KEX, serverHostKey: hostKeyAlgorithms(this.knownTypes) },
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => this.verify(key, verify),
      authHandler: makeAuthHandler(
        {
          user: this.hop.user,
          agentSocket: this.p.agentSocket,
          identities: this.hop.identities,
          prompt: this.p.prompt,
        },
        this.p.loader,
        this.log,
        {
          waiting: (busy) => (busy ? this.deadline.pause() : this.deadline.resume()),
          alive: () => !this.settled,
        },
      ),
    };
  }

  // ssh2 asks again at every re-key; by then only the key accepted first will do.
  private verify(key: Buffer, verify: (valid: boolean) => void): void {
    if (this.acceptedKey) return verify(this.acceptedKey.equals(key));
    const context = {
      host: this.p.host,
      hop: this.hopName,
      name: this.name,
      file: this.p.knownHostsFile,
      key,
    };
    verifyHostKey(context, this.p.acceptNew).then(
      (problem) => {
        if (problem) this.hostKeyError = problem;
        else this.acceptedKey = key;
        verify(!problem);
      },
      (error: Error) => {
        this.hostKeyError = m.knownHostsUnreadable(context, error.message);
        verify(false);
      },
    );
  }

  private onHandshake(n: NegotiatedAlgorithms): void {
    this.phase = 'auth';
    this.negotiated ??= {
      kex: n.kex,
      hostKey: n.serverHostKey,
      cipher: n.cs.cipher,
      mac: n.cs.mac || 'implicit',
    };
  }

  private onError(error: Error & { level?: string; code?: unknown }): void {
    // ssh2 reports these and goes on with the next method: they are not the end.
    if (error.level === 'agent') {
      const at = this.log.tried.lastIndexOf('ssh-agent');
      if (at >= 0) this.log.tried[at] = `ssh-agent (failed: ${error.message})`;
      return;
    }
    if (error.level === 'client-authentication' && !this.log.exhausted) return;
    this.fail(this.explain(error));
  }

  private explain(error: Error & { level?: string; code?: unknown }): HostError {
    if (this.hostKeyError) return this.hostKeyError;
    if (this.log.exhausted) return this.authError();
    const reason = socketReason(error.code, this.hop.hostName);
    if (reason) return m.unreachable(this.p.host, this.hopName, reason);
    if (this.phase === 'handshake' && error.level !== 'handshake') {
      return m.notSsh(this.p.host, this.hopName, `no SSH handshake: ${error.message}`);
    }
    return m.connectFailed(this.p.host, this.hopName, wording(error));
  }

  private closed(): void {
    if (this.phase !== 'auth') {
      return this.fail(m.notSsh(this.p.host, this.hopName, 'the connection closed'));
    }
    this.fail(m.connectFailed(this.p.host, this.hopName, 'the host closed the connection'));
  }

  private authError(): HostError {
    const { skipped, tried, serverAccepts } = this.log;
    const encrypted = skipped.find((s) => s.encrypted);
    if (encrypted && tried.filter((t) => t.startsWith('key ')).length === 0) {
      return m.encryptedKey(this.p.host, this.hopName, encrypted.file);
    }
    const notes = skipped.map((s) => `key ${s.file} (not used: ${s.reason})`);
    return m.authFailed(
      this.p.host,
      { ...this.hopName, user: this.hop.user },
      [...tried, ...notes],
      serverAccepts,
    );
  }

  private timedOut(): void {
    this.fail(m.connectTimedOut(this.p.host, this.hopName, this.p.connectTimeoutMs, this.phase));
  }

  private succeed(): void {
    if (this.settled) return;
    this.settled = true;
    this.deadline.stop();
    this.resolve({ client: this.client, negotiated: this.negotiated! });
  }

  private fail(error: HostError): void {
    if (this.settled) return;
    this.settled = true;
    this.deadline.stop();
    this.client.destroy();
    this.reject(error);
  }
}

function socketReason(code: unknown, hostName: string): string | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EHOSTUNREACH':
      return 'no route to host';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the name ${hostName}`;
    default:
      return undefined;
  }
}

function wording(error: Error & { level?: string }): string {
  if (error.level === 'handshake') return `key exchange failed: ${error.message}`;
  if (typeof (error as { code?: unknown }).code === 'number') {
    return `the server closed the connection: ${error.message}`;
  }
  return error.message;
}
