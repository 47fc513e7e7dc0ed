// Every way a connection or a command fails, worded once, so the real transport and the fake
// one give the CLI the same errors. None of these ever includes a passphrase or key material.
import { HostError } from '../errors.js';
import { quote } from '../remote/shell.js';
import { fingerprint, keyTypeOf } from './known-hosts.js';

/** Which hop failed: the host itself, or a jump host on the way to it. */
export interface HopName {
  label: string;
  hostName: string;
  port: number;
  jump: boolean;
}

function connectError(host: string, hop: HopName, detail: string, fix?: string): HostError {
  const prefix = hop.jump ? `jump host ${hop.label}: ` : '';
  return new HostError(host, 'connect', prefix + detail, fix);
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

function address(hop: HopName): string {
  return hop.hostName.includes(':')
    ? `[${hop.hostName}]:${hop.port}`
    : `${hop.hostName}:${hop.port}`;
}

// ---------------------------------------------------------------- reaching the host

export function unreachable(host: string, hop: HopName, reason: string): HostError {
  return connectError(host, hop, `unreachable: ${reason} (${address(hop)})`);
}

/** How far connecting got: the TCP connection, the SSH handshake, or logging in. */
export type ConnectPhase = 'tcp' | 'handshake' | 'auth';

const STUCK: Record<ConnectPhase, string> = {
  tcp: 'unreachable: no answer',
  handshake: 'stuck in the SSH handshake',
  auth: 'stuck while logging in',
};

export function connectTimedOut(
  host: string,
  hop: HopName,
  ms: number,
  phase: ConnectPhase,
): HostError {
  return connectError(
    host,
    hop,
    `${STUCK[phase]}; timed out after ${seconds(ms)} (${address(hop)})`,
  );
}

export function notSsh(host: string, hop: HopName, reason: string): HostError {
  return connectError(
    host,
    hop,
    `${reason} (${address(hop)})`,
    'is an SSH server listening on that port?',
  );
}

// ---------------------------------------------------------------- host keys

export interface HostKeyContext {
  host: string;
  hop: HopName;
  /** The host's name in known_hosts: `host` or `[host]:port`. */
  name: string;
  file: string;
  key: Buffer;
}

function offered(key: Buffer): string {
  return `${keyTypeOf(key) ?? 'unknown'} key ${fingerprint(key)}`;
}

export function unknownHostKey(c: HostKeyContext, caLines: readonly number[]): HostError {
  const ca = caLines.length
    ? `; ${c.file}:${caLines.join(',')} trusts a certificate authority for it, ` +
      'but fleet cannot check host certificates'
    : '';
  const portFlag = c.hop.port === 22 ? '' : `-p ${c.hop.port} `;
  const scan = `ssh-keyscan ${portFlag}${quote(c.hop.hostName)} >> ${quote(c.file)}`;
  return connectError(
    c.host,
    c.hop,
    `host key unknown: ${c.name} is not in ${c.file} (it offered ${offered(c.key)})${ca}`,
    `check that fingerprint, then run: ${scan}; or use --accept-new`,
  );
}

export function changedHostKey(
  c: HostKeyContext,
  lines: readonly number[],
  sameType: boolean,
): HostError {
  const kind = sameType ? 'a different key' : 'only keys of other types';
  return connectError(
    c.host,
    c.hop,
    `host key changed: ${c.name} offered ${offered(c.key)}, but ${c.file}:${lines.join(',')} ` +
      `has ${kind} for it`,
    `find out why it changed; if that is expected, run: ssh-keygen -R ${quote(c.name)} ` +
      `-f ${quote(c.file)}, then connect again`,
  );
}

export function revokedHostKey(c: HostKeyContext, line: number): HostError {
  return connectError(
    c.host,
    c.hop,
    `host key revoked: ${c.name} offered ${offered(c.key)}, marked @revoked in ${c.file}:${line}`,
  );
}

export function knownHostsUnreadable(c: { host: string; hop: HopName; file: string }, why: string) {
  return connectError(c.host, c.hop, `cannot read ${c.file}: ${why}`);
}

// ---------------------------------------------------------------- logging in

export function identityMissing(host: string, hop: HopName, file: string): HostError {
  return connectError(
    host,
    hop,
    `identity file ${file} does not exist`,
    'fix identityFile in the inventory',
  );
}

export function noCredentials(host: string, hop: HopName, looked: readonly string[]): HostError {
  return connectError(
    host,
    hop,
    `no way to log in: SSH_AUTH_SOCK is not set and none of ${looked.join(', ')} exists`,
    'start ssh-agent and ssh-add a key, or set identityFile in the inventory',
  );
}

export function encryptedKey(host: string, hop: HopName, file: string): HostError {
  return connectError(
    host,
    hop,
    `key ${file} is encrypted and there is no terminal to ask for its passphrase`,
    `load it into ssh-agent (ssh-add ${quote(file)}) or run on a terminal`,
  );
}

export function authFailed(
  host: string,
  hop: HopName & { user: string },
  tried: readonly string[],
  serverAccepts: readonly string[] | undefined,
): HostError {
  const accepts = serverAccepts ? `; the server accepts: ${serverAccepts.join(', ')}` : '';
  return connectError(
    host,
    hop,
    `authentication as ${hop.user} failed; tried ${tried.join(', ') || 'nothing'}${accepts}`,
    `add one of these keys to ~${hop.user}/.ssh/authorized_keys on the host, or set identityFile`,
  );
}

export function connectFailed(host: string, hop: HopName, reason: string): HostError {
  return connectError(host, hop, reason);
}

// ---------------------------------------------------------------- commands

/** Shortened for messages: commands can be long iptables-restore invocations. */
function shortCommand(command: string): string {
  const oneLine = command.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine;
}

export function commandTimedOut(host: string, command: string, ms: number): HostError {
  return new HostError(
    host,
    'run command',
    `\`${shortCommand(command)}\` timed out after ${seconds(ms)}; asked the host to kill it`,
  );
}

export function connectionLost(host: string, command: string, reason: string): HostError {
  return new HostError(
    host,
    'run command',
    `\`${shortCommand(command)}\`: connection lost: ${reason}`,
  );
}

export function notConnected(host: string, command: string): HostError {
  return new HostError(
    host,
    'run command',
    `\`${shortCommand(command)}\`: the connection is closed`,
  );
}
