// The fake transport: scripted answers, failures on demand, the real transport's messages.
import { describe, expect, it } from 'vitest';

import { HostError } from '../../src/errors.js';
import { FakeTransport } from '../../src/ssh/fake.js';
import { DEFAULT_CONNECT_OPTIONS } from '../../src/ssh/transport.js';
import { hostSpec } from '../ssh-support/fixture.js';

const opts = DEFAULT_CONNECT_OPTIONS;
const pi = (name: string, port = 22) => hostSpec(port, '/home/me/.ssh/known_hosts', { name });

describe('FakeTransport', () => {
  it('answers scripted commands and records what was run', async () => {
    const transport = new FakeTransport({
      pi1: {
        replies: [
          ['iptables-save', { stdout: '*filter\nCOMMIT\n' }],
          [/^iptables-restore/, (_command, stdin) => ({ code: stdin?.includes('COMMIT') ? 0 : 1 })],
          ['false', { code: 1, stderr: 'nope\n' }],
        ],
      },
    });
    const session = await transport.connect(pi('pi1'), opts);
    expect(await session.exec('iptables-save')).toEqual({
      stdout: '*filter\nCOMMIT\n',
      stderr: '',
      code: 0,
    });
    expect(await session.exec('iptables-restore --noflush', { stdin: 'COMMIT\n' })).toMatchObject({
      code: 0,
    });
    expect(await session.exec('false')).toEqual({ stdout: '', stderr: 'nope\n', code: 1 });
    expect(transport.calls).toEqual([
      { host: 'pi1', command: 'iptables-save' },
      { host: 'pi1', command: 'iptables-restore --noflush', stdin: 'COMMIT\n' },
      { host: 'pi1', command: 'false' },
    ]);
    await expect(session.exec('reboot')).rejects.toThrow('nothing scripted on pi1 for: reboot');
    await session.close();
    expect(transport.openSessions).toBe(0);
  });

  it('gives answers in turn, the last one again and again', async () => {
    const transport = new FakeTransport({
      pi1: { replies: [['iptables-save', [{ stdout: 'before' }, { stdout: 'after' }]]] },
    });
    const session = await transport.connect(pi('pi1'), opts);
    const outputs = [];
    for (let i = 0; i < 3; i++) outputs.push((await session.exec('iptables-save')).stdout);
    expect(outputs).toEqual(['before', 'after', 'after']);
  });

  it('fails connecting on demand, with the words of the real transport', async () => {
    const transport = new FakeTransport({
      a: { connect: 'unreachable' },
      b: { connect: 'timeout' },
      c: { connect: 'host key unknown' },
      d: { connect: 'host key changed' },
      e: { connect: 'auth failed' },
      f: { connect: new HostError('f', 'connect', 'anything at all') },
    });
    const messages = [];
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) {
      messages.push(await transport.connect(pi(name, 2222), opts).catch((e: Error) => e.message));
    }
    expect(messages[0]).toBe('a: connect: unreachable: connection refused (127.0.0.1:2222)');
    expect(messages[1]).toBe(
      'b: connect: unreachable: no answer; timed out after 10s (127.0.0.1:2222)',
    );
    expect(messages[2]).toMatch(/^c: connect: host key unknown: \[127.0.0.1\]:2222 is not in /);
    expect(messages[2]).toContain('ssh-keyscan -p 2222 127.0.0.1 >> /home/me/.ssh/known_hosts');
    expect(messages[3]).toContain("ssh-keygen -R '[127.0.0.1]:2222' -f /home/me/.ssh/known_hosts");
    expect(messages[4]).toMatch(/^e: connect: authentication as root failed; tried ssh-agent/);
    expect(messages[5]).toBe('f: connect: anything at all');
    expect(transport.connects).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('times commands out and loses connections on demand', async () => {
    const transport = new FakeTransport({
      pi1: {
        replies: [
          ['sleep 99', { fail: 'timeout' }],
          ['bye', { fail: 'lost' }],
        ],
      },
    });
    const session = await transport.connect(pi('pi1'), { ...opts, commandTimeoutMs: 5000 });
    await expect(session.exec('sleep 99')).rejects.toThrow(
      'pi1: run command: `sleep 99` timed out after 5s; asked the host to kill it',
    );
    await expect(session.exec('bye')).rejects.toThrow('pi1: run command: `bye`: connection lost');
    await expect(session.exec('sleep 99')).rejects.toThrow('the connection is closed');
    expect(transport.openSessions).toBe(0);
  });
});
