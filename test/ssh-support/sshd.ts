// A real OpenSSH sshd on 127.0.0.1, owned by one test file: its own temp dir, host keys,
// authorized_keys and config, on a port the OS picked, stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { keygen, type KeyPair, type KeyType } from './tools.js';

export interface Sshd {
  port: number;
  dir: string;
  hostKeys: Record<KeyType, KeyPair>;
  /** The sshd's log (LogLevel VERBOSE), for tests that check what it saw. */
  log(): string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  dir: string;
  authorizedKeys: string[];
  /** Extra sshd_config lines; they win over the defaults here. */
  config?: string[];
}

export async function startSshd(opts: SshdOptions): Promise<Sshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  mkdirSync(opts.dir, { recursive: true });
  const hostKeys = {
    ed25519: await keygen(path.join(opts.dir, 'host_ed25519'), 'ed25519'),
    ecdsa: await keygen(path.join(opts.dir, 'host_ecdsa'), 'ecdsa'),
    rsa: await keygen(path.join(opts.dir, 'host_rsa'), 'rsa'),
  };
  await writeFile(path.join(opts.dir, 'authorized_keys'), opts.authorizedKeys.join('\n') + '\n');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const started = await tryStart(opts, hostKeys, port).catch((error: Error) => {
      if (attempt >= 4 || !/in use/i.test(error.message)) throw error;
      return undefined;
    });
    if (started) return started;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function tryStart(opts: SshdOptions, hostKeys: Sshd['hostKeys'], port: number) {
  const configFile = path.join(opts.dir, `sshd_config`);
  await writeFile(configFile, sshdConfig(opts, hostKeys, port).join('\n') + '\n');
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await listening(child, () => log);
  const sshd: Sshd = { port, dir: opts.dir, hostKeys, log: () => log, stop: () => stop(child) };
  return sshd;
}

function sshdConfig(opts: SshdOptions, hostKeys: Sshd['hostKeys'], port: number): string[] {
  // sshd takes the first value of a keyword, so the test's own lines go first.
  return [
    ...(opts.config ?? []),
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...Object.values(hostKeys).map((k) => `HostKey ${k.file}`),
    `PidFile ${path.join(opts.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(opts.dir, 'authorized_keys')}`,
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'PrintMotd no',
    'LogLevel VERBOSE',
  ];
}

function listening(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sshd did not start:\n${log()}`)), 5000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr!.on('data', () => {
      if (/Server listening on/.test(log())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => fail(new Error(`sshd exited:\n${log()}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
