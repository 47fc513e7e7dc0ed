// The transport seam: everything above src/ssh/ talks to hosts through these types only, so the
// CLI can be tested with the fake transport and run for real with the ssh2 one.
import type { HostSpec } from '../model.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The remote exit status; null when the command was ended by a signal. */
  code: number | null;
  /** Set when the command was ended by a signal, e.g. `SIGKILL`. */
  signal?: string;
}

export interface ExecOptions {
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
  /** Overrides ConnectOptions.commandTimeoutMs for this command. */
  timeoutMs?: number;
}

/** What the connection agreed on in its first key exchange. */
export interface Negotiated {
  kex: string;
  hostKey: string;
  cipher: string;
  /** 'implicit' for AEAD ciphers such as aes128-gcm, which authenticate by themselves. */
  mac: string;
}

/** One open connection to one host, reused for every command sent to that host. */
export interface Session {
  /**
   * Runs one remote command (no pty), stdout and stderr kept apart; optional stdin; resolves
   * on channel close. A non-zero exit is a result, not an error.
   */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** Undefined where the transport has no real connection (the fake). */
  readonly negotiated?: Negotiated;
}

export interface ConnectOptions {
  /** Covers reaching the host, the key exchange and logging in; not time spent at a prompt. */
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** 0 turns keepalives off; the connection is dropped after 3 unanswered ones. */
  keepaliveIntervalMs: number;
  /** Like OpenSSH's StrictHostKeyChecking=accept-new: unknown keys are added, changed never. */
  acceptNew: boolean;
  /** Defaults to ~/.ssh/config when that exists. */
  sshConfigFile?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Asks for a key's passphrase; undefined when there is no terminal. */
  prompt?: (question: string) => Promise<string>;
}

export interface Transport {
  /** ~/.ssh/config may set the fields `host.defaulted` names; every other HostSpec field wins. */
  connect(host: HostSpec, opts: ConnectOptions): Promise<Session>;
}

export const DEFAULT_CONNECT_OPTIONS: Readonly<ConnectOptions> = {
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 60_000,
  keepaliveIntervalMs: 15_000,
  acceptNew: false,
};
