// The real transport: one ssh2 connection per host (through its jump hosts, if any), kept open
// for all the commands fleet sends it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Client, ClientChannel } from 'ssh2';

import type { HostSpec } from '../model.js';
import { KeyLoader } from './auth.js';
import { dial, type Dialed } from './dial.js';
import * as m from './messages.js';
import { planRoute, type Hop, type RouteContext } from './route.js';
import type {
  ConnectOptions,
  ExecOptions,
  ExecResult,
  Negotiated,
  Session,
  Transport,
} from './transport.js';

/** Each transport keeps its own decrypted keys, so a passphrase is asked once per run. */
export function createSsh2Transport(): Transport {
  const loader = new KeyLoader();
  return { connect: (host, opts) => connect(host, opts, loader) };
}

export const ssh2Transport: Transport = createSsh2Transport();

async function connect(
  host: HostSpec,
  opts: ConnectOptions,
  loader: KeyLoader,
): Promise<Session> {
  const env = opts.env ?? process.env;
  const route = planRoute(host, routeContext(opts, env));
  const opened: Dialed[] = [];
  try {
    for (const [i, hop] of route.entries()) {
      const previous = opened[i - 1];
      const via = previous ? { client: previous.client, label: route[i - 1]!.label } : undefined;
      opened.push(await dial(dialParams(host, hop, i < route.length - 1, opts, env, loader, via)));
    }
  } catch (error) {
    await closeAll(opened.map((d) => d.client).reverse());
    throw error;
  }
  const target = opened.pop()!;
  return new Ssh2Session(
    host.name,
    target,
    opened.map((d) => d.client),
    opts.commandTimeoutMs,
  );
}

function routeContext(opts: ConnectOptions, env: NodeJS.ProcessEnv): RouteContext {
  const homeDir = opts.homeDir ?? os.homedir();
  const userConfig = path.join(homeDir, '.ssh', 'config');
  return {
    homeDir,
    localUser: env.USER ?? os.userInfo().username,
    configFile: opts.sshConfigFile ?? (existsSync(userConfig) ? userConfig : undefined),
    files: {
      read: (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
      list: (dir) => (existsSync(dir) ? readdirSync(dir) : undefined),
    },
  };
}

function dialParams(
  host: HostSpec,
  hop: Hop,
  jump: boolean,
  opts: ConnectOptions,
  env: NodeJS.ProcessEnv,
  loader: KeyLoader,
  via: { client: Client; label: string } | undefined,
) {
  return {
    host: host.name,
    hop,
    jump,
    knownHostsFile: host.knownHostsFile,
    acceptNew: opts.acceptNew,
    connectTimeoutMs: opts.connectTimeoutMs,
    keepaliveIntervalMs: opts.keepaliveIntervalMs,
    agentSocket: env.SSH_AUTH_SOCK || undefined,
    loader,
    prompt: opts.prompt,
    ...(via ? { via } : {}),
  };
}

/** Ends connections in the order given and waits until each is closed (or 2s passed). */
function closeAll(clients: readonly Client[]): Promise<void> {
  return clients.reduce(
    (previous, client) => previous.then(() => closeClient(client)),
    Promise.resolve(),
  );
}

function closeClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 2000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}

// ---------------------------------------------------------------- the session

class Ssh2Session implements Session {
  readonly negotiated: Negotiated;
  private readonly client: Client;
  private closed = false;
  private closing: Promise<void> | undefined;
  private lostBecause = 'the host closed it';

  constructor(
    private readonly host: string,
    target: Dialed,
    private readonly jumps: Client[],
    private readonly commandTimeoutMs: number,
  ) {
    this.client = target.client;
    this.negotiated = target.negotiated;
    // ssh2 throws when an 'error' has no listener; after login these only end the connection.
    this.client.on('error', (error) => (this.lostBecause = error.message));
    this.client.on('close', () => (this.closed = true));
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed || this.closing) return Promise.reject(m.notConnected(this.host, command));
    return new Promise((resolve, reject) => {
      const started = (error: Error | undefined, channel: ClientChannel) => {
        if (error) return reject(m.connectionLost(this.host, command, error.message));
        const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs;
        collect(channel, timeoutMs, opts.stdin).then(resolve, (outcome: Outcome) =>
          reject(this.failure(command, outcome, timeoutMs)),
        );
      };
      try {
        this.client.exec(command, started);
      } catch (error) {
        reject(m.connectionLost(this.host, command, (error as Error).message));
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= closeAll([this.client, ...[...this.jumps].reverse()]);
    return this.closing;
  }

  private failure(command: string, outcome: Outcome, timeoutMs: number) {
    if (outcome === 'timeout') return m.commandTimedOut(this.host, command, timeoutMs);
    return m.connectionLost(this.host, command, this.lostBecause);
  }
}

type Outcome = 'timeout' | 'lost';

/** Resolves with the command's output and status when the channel closes. */
function collect(channel: ClientChannel, timeoutMs: number, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let exit: { code: number | null; signal?: string } | undefined;
    const timer = setTimeout(() => {
      kill(channel);
      reject('timeout' satisfies Outcome);
    }, timeoutMs);
    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (code: number | null, signal?: string) => {
      exit = { code, ...(signal ? { signal } : {}) };
    });
    channel.on('close', () => {
      clearTimeout(timer);
      if (!exit) return reject('lost' satisfies Outcome);
      resolve({ stdout: text(stdout), stderr: text(stderr), ...exit });
    });
    channel.end(stdin);
  });
}

function text(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8');
}

// ssh2 sends a signal only while the channel is writable, and ours is not once stdin has been
// closed; the request is still valid then. OpenSSH's sshd delivers it to the command's process
// group, except in sessions of root, where it refuses: such a command runs on until it ends.
function kill(channel: ClientChannel): void {
  const raw = channel as unknown as {
    _client?: { _protocol?: { signal(id: number, name: string): void } };
    outgoing?: { id: number; state: string };
  };
  const { outgoing } = raw;
  if (outgoing && (outgoing.state === 'open' || outgoing.state === 'eof')) {
    raw._client?._protocol?.signal(outgoing.id, 'KILL');
  }
  channel.close();
}
