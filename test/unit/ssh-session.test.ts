// The ssh2 transport against a real OpenSSH sshd: running commands, host key checking,
// timeouts and unreachable hosts.
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSsh2Transport, type Session } from '../../src/ssh/index.js';
import { hostSpec, keyscan, makeHome, options } from '../ssh-support/fixture.js';
import { startSshd, type Sshd } from '../ssh-support/sshd.js';
import { keygen, sh, tempDir } from '../ssh-support/tools.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let sshd: Sshd;
let home: string;
let files = 0;
const transport = createSsh2Transport();

beforeAll(async () => {
  tmp = await tempDir('ssh-session');
  home = makeHome(path.join(tmp.dir, 'home'));
  const key = await keygen(path.join(home, '.ssh', 'id_ed25519'), 'ed25519');
  sshd = await startSshd({ dir: path.join(tmp.dir, 'sshd'), authorizedKeys: [key.publicKey] });
}, 20_000);

afterAll(async () => {
  await sshd?.stop();
  await tmp?.remove();
});

/** A fresh known_hosts file with these contents. */
async function knownHosts(text: string): Promise<string> {
  const file = path.join(tmp.dir, `known_hosts_${files++}`);
  if (text !== '') await writeFile(file, text);
  return file;
}

const name = () => `[127.0.0.1]:${sshd.port}`;

async function connect(file: string, acceptNew = false): Promise<Session> {
  return transport.connect(hostSpec(sshd.port, file), options(home, { acceptNew }));
}

async function failure(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'connected',
    (error: Error) => error.message,
  );
}

describe('exec', () => {
  let session: Session;

  beforeAll(async () => {
    session = await connect(await knownHosts(await keyscan(sshd.port)));
  });

  afterAll(() => session?.close());

  it('keeps stdout and stderr apart and returns the exit code, not an error', async () => {
    const result = await session.exec('echo out; echo err >&2; exit 3');
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 });
  });

  it('feeds stdin and closes it', async () => {
    const result = await session.exec('wc -l; cat /dev/stdin', { stdin: 'one\ntwo\n' });
    expect(result).toEqual({ stdout: '2\n', stderr: '', code: 0 });
    expect(await session.exec('cat')).toMatchObject({ stdout: '', code: 0 });
  });

  it('reports a signal that ended the command', async () => {
    expect(await session.exec('kill -TERM $$')).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('uses one connection for every command, without a pty', async () => {
    const [a, b] = await Promise.all([
      session.exec('echo $SSH_CONNECTION'),
      session.exec('echo $SSH_CONNECTION'),
    ]);
    expect(a.stdout).toBe(b.stdout);
    expect(await session.exec('tty')).toMatchObject({ stdout: 'not a tty\n', code: 1 });
  });

  it('negotiates curve25519-sha256 first, and an AEAD cipher', () => {
    // ssh2 prefers aes128-gcm where the CPU has AES instructions, chacha20-poly1305 elsewhere.
    expect(session.negotiated).toMatchObject({ kex: 'curve25519-sha256', hostKey: 'ssh-ed25519' });
    expect(['aes128-gcm@openssh.com', 'chacha20-poly1305@openssh.com']).toContain(
      session.negotiated?.cipher,
    );
    expect(session.negotiated?.mac).toBe('implicit');
  });

  it('times a command out, and the connection stays usable', async () => {
    const started = Date.now();
    await expect(session.exec('sleep 20', { timeoutMs: 300 })).rejects.toThrow(
      'pi-test: run command: `sleep 20` timed out after 0.3s; asked the host to kill it',
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await session.exec('echo still here')).toMatchObject({ stdout: 'still here\n' });
  });

  it('refuses commands once closed', async () => {
    const other = await connect(await knownHosts(await keyscan(sshd.port)));
    await other.close();
    await expect(other.exec('true')).rejects.toThrow(
      'pi-test: run command: `true`: the connection is closed',
    );
  });
});

describe('host keys', () => {
  it('refuses an unknown host key, naming the file and what to run', async () => {
    const file = await knownHosts('');
    const message = await failure(connect(file));
    expect(message).toMatch(
      new RegExp(
        `^pi-test: connect: host key unknown: \\[127.0.0.1\\]:${sshd.port} is not in ${file} ` +
          '\\(it offered ssh-ed25519 key SHA256:[\\w+/]+\\)',
      ),
    );
    expect(message).toContain(
      `ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ${file}; or use --accept-new`,
    );
  });

  it('with accept-new, records the key as OpenSSH would and then connects strictly', async () => {
    const file = await knownHosts('# mine\n');
    await (await connect(file, true)).close();
    const text = await readFile(file, 'utf8');
    expect(text).toBe(`# mine\n${name()} ${sshd.hostKeys.ed25519.publicKey}\n`);
    expect(await sh('ssh-keygen', ['-F', name(), '-f', file])).toContain(
      sshd.hostKeys.ed25519.publicKey,
    );
    await (await connect(file)).close();
  });

  it('refuses a changed key even with accept-new, and leaves the file alone', async () => {
    const impostor = await keygen(path.join(tmp.dir, 'impostor'), 'ed25519');
    const file = await knownHosts(`${name()} ${impostor.publicKey}\n`);
    const message = await failure(connect(file, true));
    expect(message).toContain(
      `pi-test: connect: host key changed: ${name()} offered ssh-ed25519 key`,
    );
    expect(message).toContain(`but ${file}:1 has a different key for it`);
    expect(message).toContain(`ssh-keygen -R '${name()}' -f ${file}, then connect again`);
    expect(await readFile(file, 'utf8')).toBe(`${name()} ${impostor.publicKey}\n`);
  });

  it('matches entries hashed by ssh-keygen -H', async () => {
    const file = await knownHosts(await keyscan(sshd.port, 'ed25519'));
    await sh('ssh-keygen', ['-q', '-H', '-f', file]);
    expect(await readFile(file, 'utf8')).toMatch(/^\|1\|/);
    await (await connect(file)).close();
  });

  it('asks for the host key type that known_hosts has, when the host has several', async () => {
    for (const [type, algorithm] of [
      ['rsa', 'rsa-sha2-512'],
      ['ecdsa', 'ecdsa-sha2-nistp256'],
    ]) {
      const session = await connect(await knownHosts(await keyscan(sshd.port, type)));
      expect(session.negotiated?.hostKey).toBe(algorithm);
      await session.close();
    }
  });

  it('does not take a port-22 entry for a host on another port', async () => {
    const file = await knownHosts(`127.0.0.1 ${sshd.hostKeys.ed25519.publicKey}\n`);
    expect(await failure(connect(file))).toContain('host key unknown');
  });
});

describe('reaching the host', () => {
  it('says at once that a closed port is unreachable', async () => {
    const port = await closedPort();
    const started = Date.now();
    const message = await failure(
      transport.connect(hostSpec(port, await knownHosts('')), options(home)),
    );
    expect(message).toBe(`pi-test: connect: unreachable: connection refused (127.0.0.1:${port})`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives up on a host that accepts but never speaks SSH', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const spec = hostSpec(port, await knownHosts(''));
      const message = await failure(
        transport.connect(spec, options(home, { connectTimeoutMs: 300 })),
      );
      expect(message).toBe(
        `pi-test: connect: stuck in the SSH handshake; timed out after 0.3s (127.0.0.1:${port})`,
      );
    } finally {
      silent.close();
    }
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
