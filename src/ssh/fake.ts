// A transport for tests of the layers above: each host answers commands from a script and
// fails on demand, with the very errors the ssh2 transport gives.
import { HostError } from '../errors.js';
import type { HostSpec } from '../model.js';
import { knownHostsName } from './known-hosts.js';
import * as m from './messages.js';
import type { ConnectOptions, ExecOptions, ExecResult, Session, Transport } from './transport.js';

export type FakeConnectFailure =
  'unreachable' | 'timeout' | 'host key unknown' | 'host key changed' | 'auth failed';

/** A command's answer; `fail` makes it time out or lose the connection instead. */
export type FakeAnswer = Partial<ExecResult> | { fail: 'timeout' | 'lost' };

export type FakeReply =
  | FakeAnswer
  /** Answers in turn, one per call; the last one keeps answering. */
  | FakeAnswer[]
  | ((command: string, stdin: string | undefined) => FakeAnswer);

export interface FakeHost {
  /** How connecting fails; it succeeds when unset. A HostError given here is thrown as is. */
  connect?: FakeConnectFailure | HostError;
  /** Tried in order; a string must equal the command, a RegExp must match it. */
  replies?: [string | RegExp, FakeReply][];
}

export interface FakeCall {
  host: string;
  command: string;
  stdin?: string;
}

export class FakeTransport implements Transport {
  /** Every command run, on every host, in the order run. */
  readonly calls: FakeCall[] = [];
  /** Inventory names, one per connect call, in order. */
  readonly connects: string[] = [];
  private open = 0;
  private readonly hosts: Map<string, FakeHost>;
  private readonly turns = new Map<FakeAnswer[], number>();

  constructor(hosts: Record<string, FakeHost> = {}) {
    this.hosts = new Map(Object.entries(hosts));
  }

  /** Replaces a host's script, e.g. to answer differently after an apply. */
  script(host: string, script: FakeHost): void {
    this.hosts.set(host, script);
  }

  /** Sessions connected and not yet closed: a test can check that none leaked. */
  get openSessions(): number {
    return this.open;
  }

  async connect(host: HostSpec, opts: ConnectOptions): Promise<Session> {
    this.connects.push(host.name);
    const script = this.hosts.get(host.name);
    if (!script) throw new Error(`fake transport: no script for host ${host.name}`);
    if (script.connect) throw connectFailure(host, script.connect, opts);
    this.open++;
    return new FakeSession(this, host.name, opts.commandTimeoutMs, () => this.open--);
  }

  /** @internal */
  answer(host: string, command: string, stdin: string | undefined): FakeAnswer {
    this.calls.push({ host, command, ...(stdin === undefined ? {} : { stdin }) });
    const reply = this.hosts.get(host)?.replies?.find(([p]) => matches(p, command))?.[1];
    if (reply === undefined) {
      throw new Error(`fake transport: nothing scripted on ${host} for: ${command}`);
    }
    if (typeof reply === 'function') return reply(command, stdin);
    if (Array.isArray(reply)) return this.nextTurn(reply);
    return reply;
  }

  private nextTurn(answers: FakeAnswer[]): FakeAnswer {
    const turn = this.turns.get(answers) ?? 0;
    this.turns.set(answers, turn + 1);
    const answer = answers[Math.min(turn, answers.length - 1)];
    if (!answer) throw new Error('fake transport: an empty list of answers');
    return answer;
  }
}

function matches(pattern: string | RegExp, command: string): boolean {
  return typeof pattern === 'string' ? pattern === command : pattern.test(command);
}

class FakeSession implements Session {
  private closed = false;

  constructor(
    private readonly transport: FakeTransport,
    private readonly host: string,
    private readonly commandTimeoutMs: number,
    private readonly onClose: () => void,
  ) {}

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) throw m.notConnected(this.host, command);
    const answer = this.transport.answer(this.host, command, opts.stdin);
    if ('fail' in answer) {
      if (answer.fail === 'timeout') {
        throw m.commandTimedOut(this.host, command, opts.timeoutMs ?? this.commandTimeoutMs);
      }
      await this.close();
      throw m.connectionLost(this.host, command, 'the host closed it');
    }
    return { stdout: '', stderr: '', code: 0, ...answer };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

// A made-up ed25519 key, so that host key messages have a type and a fingerprint to show.
const FAKE_KEY = Buffer.concat([
  Buffer.from([0, 0, 0, 11]),
  Buffer.from('ssh-ed25519'),
  Buffer.from([0, 0, 0, 32]),
  Buffer.alloc(32, 7),
]);

function connectFailure(
  host: HostSpec,
  failure: FakeConnectFailure | HostError,
  opts: ConnectOptions,
): HostError {
  if (failure instanceof HostError) return failure;
  const hop = { label: host.name, hostName: host.address, port: host.port, jump: false };
  const name = knownHostsName(host.address, host.port);
  const keyContext = { host: host.name, hop, name, file: host.knownHostsFile, key: FAKE_KEY };
  switch (failure) {
    case 'unreachable':
      return m.unreachable(host.name, hop, 'connection refused');
    case 'timeout':
      return m.connectTimedOut(host.name, hop, opts.connectTimeoutMs, 'tcp');
    case 'host key unknown':
      return m.unknownHostKey(keyContext, []);
    case 'host key changed':
      return m.changedHostKey(keyContext, [1], true);
    case 'auth failed':
      return m.authFailed(host.name, { ...hop, user: host.user }, ['ssh-agent'], ['publickey']);
  }
}
