// Small wrappers around OpenSSH's tools for the ssh tests: temp dirs, keys, ssh-agent.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `fleet-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function sh(file: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await run(file, args)).stdout;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${file}: ${code}`)),
    );
    child.stdin.end(input);
  });
}

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface KeyPair {
  file: string;
  /** `type base64 comment`, as in the .pub file. */
  publicLine: string;
  /** `type base64`, as known_hosts and authorized_keys want it. */
  publicKey: string;
}

export async function keygen(file: string, type: KeyType, passphrase = ''): Promise<KeyPair> {
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  await run('ssh-keygen', ['-q', '-t', type, ...bits, '-N', passphrase, '-C', 'test', '-f', file]);
  const publicLine = (await readFile(`${file}.pub`, 'utf8')).trim();
  return { file, publicLine, publicKey: publicLine.split(' ').slice(0, 2).join(' ') };
}

export interface Agent {
  socket: string;
  /** A passphrase is handed over through SSH_ASKPASS, never through a terminal. */
  add(keyFile: string, passphrase?: string): Promise<void>;
  stop(): void;
}

/** An ssh-agent of our own on a socket in `dir`, ended by pid. */
export async function startAgent(dir: string): Promise<Agent> {
  await mkdir(dir, { recursive: true });
  const socket = path.join(dir, 'agent.sock');
  const { stdout } = await run('ssh-agent', ['-s', '-a', socket]);
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(stdout)?.[1]);
  if (!pid) throw new Error(`ssh-agent printed no pid: ${stdout}`);
  const askpass = path.join(dir, 'askpass.sh');
  const env = { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS: askpass };
  return {
    socket,
    add: async (keyFile, passphrase = '') => {
      await writeFile(askpass, `#!/bin/sh\necho '${passphrase}'\n`, { mode: 0o700 });
      const force = { ...env, SSH_ASKPASS_REQUIRE: 'force' };
      await run('ssh-add', ['-q', keyFile], { env: passphrase ? force : env, timeout: 5000 });
    },
    stop: () => {
      try {
        process.kill(pid);
      } catch {
        // already gone
      }
    },
  };
}
