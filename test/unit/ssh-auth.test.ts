// Logging in and jumping, against real OpenSSH sshds: encrypted keys with and without a
// terminal, ssh-agent, failed logins, and ProxyJump through a second sshd.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { createSsh2Transport, type ConnectOptions } from '../../src/ssh/index.js';
import { hostSpec, keyscan, makeHome, options } from '../ssh-support/fixture.js';
import { startSshd, type Sshd } from '../ssh-support/sshd.js';
import { keygen, startAgent, tempDir, type Agent, type KeyPair } from '../ssh-support/tools.js';

const PASSPHRASE = 'correct horse battery';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let target: Sshd;
let jump: Sshd;
let agent: Agent;
let knownHostsFile: string;
/** Homes: plain key, encrypted key, none (for the agent), a key the hosts do not know. */
const homes = { plain: '', encrypted: '', empty: '', stranger: '' };
let encryptedKey: KeyPair;

beforeAll(async () => {
  tmp = await tempDir('ssh-auth');
  for (const name of Object.keys(homes) as (keyof typeof homes)[]) {
    homes[name] = makeHome(path.join(tmp.dir, name));
  }
  const plain = await keygen(path.join(homes.plain, '.ssh', 'id_ed25519'), 'ed25519');
  encryptedKey = await keygen(path.join(homes.encrypted, '.ssh', 'id_ecdsa'), 'ecdsa', PASSPHRASE);
  const agentOnly = await keygen(path.join(tmp.dir, 'agent_key'), 'ed25519');
  await keygen(path.join(homes.stranger, '.ssh', 'id_rsa'), 'rsa');
  const authorizedKeys = [plain.publicKey, encryptedKey.publicKey, agentOnly.publicKey];

  [target, jump] = await Promise.all([
    startSshd({ dir: path.join(tmp.dir, 'target'), authorizedKeys }),
    startSshd({ dir: path.join(tmp.dir, 'jump'), authorizedKeys: [plain.publicKey] }),
  ]);
  agent = await startAgent(tmp.dir);
  await agent.add(agentOnly.file);

  knownHostsFile = path.join(tmp.dir, 'known_hosts');
  await writeFile(knownHostsFile, (await keyscan(target.port)) + (await keyscan(jump.port)));
}, 30_000);

afterAll(async () => {
  agent?.stop();
  await Promise.all([target?.stop(), jump?.stop()]);
  await tmp?.remove();
});

function connectTarget(
  home: string,
  over: Partial<ConnectOptions> = {},
  transport = createSsh2Transport(),
) {
  return transport.connect(hostSpec(target.port, knownHostsFile), options(home, over));
}

async function failure(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'connected',
    (error: Error) => error.message,
  );
}

describe('key files', () => {
  it('finds a default key and logs in with it', async () => {
    const session = await connectTarget(homes.plain);
    expect((await session.exec('whoami')).stdout).toBe('root\n');
    await session.close();
  });

  it('says plainly what to do with an encrypted key when there is no terminal', async () => {
    const message = await failure(connectTarget(homes.encrypted));
    const file = encryptedKey.file;
    expect(message).toBe(
      `pi-test: connect: key ${file} is encrypted and there is no terminal to ask for its ` +
        `passphrase (load it into ssh-agent (ssh-add ${file}) or run on a terminal)`,
    );
  });

  it('asks for a passphrase once, however many hosts use the key', async () => {
    const prompt = vi.fn(async (_question: string) => PASSPHRASE);
    const transport = createSsh2Transport();
    const sessions = await Promise.all([
      connectTarget(homes.encrypted, { prompt }, transport),
      connectTarget(homes.encrypted, { prompt }, transport),
    ]);
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(prompt).toHaveBeenCalledWith(`Enter passphrase for key '${encryptedKey.file}': `);
    for (const session of sessions) {
      expect((await session.exec('echo ok')).stdout).toBe('ok\n');
      await session.close();
    }
  });

  it('still asks later, on a terminal, after a run without one found the key encrypted', async () => {
    const transport = createSsh2Transport();
    expect(await failure(connectTarget(homes.encrypted, {}, transport))).toContain('is encrypted');
    const prompt = vi.fn(async () => PASSPHRASE);
    await (await connectTarget(homes.encrypted, { prompt }, transport)).close();
    expect(prompt).toHaveBeenCalledOnce();
  });

  it('does not count the time spent typing a passphrase against the connect timeout', async () => {
    const slow = async () => new Promise<string>((resolve) => setTimeout(resolve, 600, PASSPHRASE));
    const opts = { prompt: slow, connectTimeoutMs: 400 };
    await (await connectTarget(homes.encrypted, opts)).close();
  });

  it('gives up after three wrong passphrases and never prints one', async () => {
    const prompt = vi.fn(async () => 'wrong-passphrase');
    const message = await failure(connectTarget(homes.encrypted, { prompt }));
    expect(prompt).toHaveBeenCalledTimes(3);
    expect(message).toContain(`key ${encryptedKey.file} (not used: no right passphrase given)`);
    expect(message).not.toContain('wrong-passphrase');
  });

  it('names the user, what it tried and what the server takes when login fails', async () => {
    const message = await failure(connectTarget(homes.stranger));
    const key = path.join(homes.stranger, '.ssh', 'id_rsa');
    expect(message).toBe(
      `pi-test: connect: authentication as root failed; tried key ${key}; the server accepts: ` +
        'publickey (add one of these keys to ~root/.ssh/authorized_keys on the host, ' +
        'or set identityFile)',
    );
  });

  it('fails before connecting when the inventory names a key that is not there', async () => {
    const spec = hostSpec(target.port, knownHostsFile, { identityFile: '~/.ssh/nope' });
    const message = await failure(createSsh2Transport().connect(spec, options(homes.plain)));
    expect(message).toBe(
      `pi-test: connect: identity file ${homes.plain}/.ssh/nope does not exist ` +
        '(fix identityFile in the inventory)',
    );
  });
});

describe('ssh-agent', () => {
  it('logs in with a key only the agent has', async () => {
    const env = { USER: 'root', SSH_AUTH_SOCK: agent.socket };
    const session = await connectTarget(homes.empty, { env });
    expect((await session.exec('echo via agent')).stdout).toBe('via agent\n');
    await session.close();
  });

  it('comes before key files, so an encrypted key the agent holds needs no prompt', async () => {
    const other = await startAgent(path.join(tmp.dir, 'agent2'));
    try {
      await other.add(encryptedKey.file, PASSPHRASE);
      const prompt = vi.fn(async () => PASSPHRASE);
      const env = { USER: 'root', SSH_AUTH_SOCK: other.socket };
      await (await connectTarget(homes.encrypted, { env, prompt })).close();
      expect(prompt).not.toHaveBeenCalled();
    } finally {
      other.stop();
    }
  });

  it('reports an agent socket that is not there among what it tried', async () => {
    const env = { USER: 'root', SSH_AUTH_SOCK: path.join(tmp.dir, 'no-such.sock') };
    const message = await failure(connectTarget(homes.stranger, { env }));
    expect(message).toContain('tried ssh-agent (failed: Failed to connect to agent), key ');
  });
});

describe('ProxyJump', () => {
  async function withConfig(lines: string[]): Promise<string> {
    const file = path.join(tmp.dir, `ssh_config_${Math.random().toString(36).slice(2)}`);
    await writeFile(file, lines.join('\n') + '\n');
    return file;
  }

  const targetConfig = () => [
    'Host target',
    '  HostName 127.0.0.1',
    `  Port ${target.port}`,
    '  ProxyJump jump',
    'Host jump',
    '  HostName 127.0.0.1',
    `  Port ${jump.port}`,
    '  User root',
  ];

  it('reaches the host through the jump host, both checked against known_hosts', async () => {
    const sshConfigFile = await withConfig(targetConfig());
    const spec = hostSpec(22, knownHostsFile, { address: 'target', defaulted: ['port'] });
    const session = await createSsh2Transport().connect(spec, options(homes.plain, { sshConfigFile }));
    expect((await session.exec('echo $SSH_CONNECTION')).stdout).toMatch(
      new RegExp(` 127.0.0.1 ${target.port}\\n$`),
    );
    await session.close();
    expect(jump.log()).toMatch(/Accepted publickey for root/);
  });

  it('names the jump host when its key is unknown', async () => {
    const sshConfigFile = await withConfig(targetConfig());
    const onlyTarget = path.join(tmp.dir, 'known_hosts_target');
    await writeFile(onlyTarget, await keyscan(target.port));
    const spec = hostSpec(22, onlyTarget, { address: 'target', defaulted: ['port'] });
    const message = await failure(createSsh2Transport().connect(spec, options(homes.plain, { sshConfigFile })));
    expect(message).toMatch(
      new RegExp(
        `^pi-test: connect: jump host jump: host key unknown: \\[127.0.0.1\\]:${jump.port} `,
      ),
    );
  });

  it('says when the jump host cannot reach the host', async () => {
    const sshConfigFile = await withConfig([
      'Host closed',
      '  HostName 127.0.0.1',
      `  ProxyJump root@127.0.0.1:${jump.port}`,
    ]);
    const spec = hostSpec(1, knownHostsFile, { address: 'closed' });
    const opts = options(homes.plain, { sshConfigFile });
    expect(await failure(createSsh2Transport().connect(spec, opts))).toBe(
      'pi-test: connect: unreachable: Connection refused, says jump host 127.0.0.1 (127.0.0.1:1)',
    );
  });
});
