// The command line over the fake transport: exit statuses, what goes to stdout and stderr, that
// bad input contacts no host, and that one host's failure stops no other. The hosts answer with
// the facts script's real output, captured from lab1 (test/fixtures/facts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { FakeTransport, type FakeHost } from '../../src/ssh/fake.js';
import { fixture } from './helpers/fixtures.js';

const FRESH = fixture('facts/lab1-fresh.txt');
const APPLIED = fixture('facts/lab1-applied.txt');
const STEPS = '@@fleet-step applied\n@@fleet-step verified\n@@fleet-step persisted\n';

function inventory(text?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fleet-cli-')), 'hosts.yaml');
  writeFileSync(
    file,
    text ??
      'defaults: { user: pi, knownHostsFile: /dev/null }\nhosts:\n' +
        '  lab1: { address: 198.18.1.1, policies: [office-only] }\n' +
        '  lab2: { address: 198.18.1.2, policies: [office-only] }\n',
  );
  return file;
}

/** A host whose facts are `facts` and whose apply script answers `apply`. */
type Answer = { stdout?: string; stderr?: string; code?: number };

/** A host whose facts are `facts` and whose apply script answers `apply` (scripts come on stdin). */
function host(facts: string, apply: Answer = { stdout: STEPS, code: 0 }): FakeHost {
  return scripted({ stdout: facts, stderr: '', code: 0 }, apply);
}

function scripted(facts: Answer, apply: Answer = {}): FakeHost {
  return { replies: [[/^sudo -n sh -c/, (_c, stdin) => (stdin?.includes('--noflush') ? apply : facts)]] };
}

async function run(args: string[], fake: FakeTransport, interactive = false) {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--policies', 'policies'], {
    transport: fake,
    io: {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      interactive,
      color: false,
      ask: async () => 'yes',
      env: {},
      home: '/home/me',
    },
  });
  return { code, stdout, stderr };
}

const applies = (fake: FakeTransport) => fake.calls.filter((c) => c.stdin?.includes('--noflush'));

describe('fleet diff', () => {
  it('shows the rules to add per host and a table, and exits 2 when changes are pending', async () => {
    const fake = new FakeTransport({ lab1: host(FRESH), lab2: host(APPLIED) });
    const r = await run(['diff', '--inventory', inventory()], fake);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      '  + iptables -A FLEET -s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN\n' +
        '      allow 198.18.0.10/32 to nginx1 80/tcp (host port 8080) — policy office-only, policies/office-only.yaml:6\n',
    );
    expect(r.stdout).toMatch(/│ lab1 │ 1 +│ 6 +│ 0 +│ changes pending │/);
    expect(r.stdout).toMatch(/│ lab2 │ 1 +│ 0 +│ 0 +│ in sync +│/);
    expect(r.stderr).toContain('lab1: planned');
    expect(fake.openSessions).toBe(0);
  });

  it('exits 0 when every host is in sync', async () => {
    const fake = new FakeTransport({ lab1: host(APPLIED), lab2: host(APPLIED) });
    expect((await run(['diff', '--inventory', inventory()], fake)).code).toBe(0);
  });

  it('plans every other host when one is unreachable, and exits 1', async () => {
    const fake = new FakeTransport({ lab1: { connect: 'unreachable' }, lab2: host(FRESH) });
    const r = await run(['diff', '--inventory', inventory()], fake);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/│ lab1 │ - +│ 0 +│ 0 +│ failed: connect │/);
    expect(r.stdout).toMatch(/│ lab2 │ 1 +│ 6 +│ 0 +│ changes pending │/);
    expect(r.stdout).toMatch(/^lab1: connect: unreachable/m);
  });

  it('names sudo when it wants a password', async () => {
    const sudo = { stdout: '', stderr: 'sudo: a password is required\n', code: 1 };
    const fake = new FakeTransport({ lab1: scripted(sudo), lab2: host(APPLIED) });
    const r = await run(['diff', '--inventory', inventory()], fake);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'lab1: read facts: sudo wants a password for pi (allow pi passwordless sudo on the host, or log in as root and set sudo: false)',
    );
  });

  it('prints JSON for scripts, with nothing else on stdout', async () => {
    const fake = new FakeTransport({ lab1: host(FRESH), lab2: host(APPLIED) });
    const r = await run(['diff', '--json', '--inventory', inventory()], fake);
    const parsed = JSON.parse(r.stdout) as { hosts: { host: string; add: number; ok: boolean }[] };
    expect(parsed.hosts.map((h) => [h.host, h.ok, h.add])).toEqual([['lab1', true, 6], ['lab2', true, 0]]);
  });
});

describe('bad input', () => {
  it('is reported with file, line and column before any host is contacted', async () => {
    const fake = new FakeTransport({});
    const file = inventory('hosts:\n  lab1: { address: 198.18.1.300, user: pi, policies: [office-only] }\n');
    const r = await run(['apply', '--yes', '--inventory', file], fake);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file}:2:20: hosts\\.lab1\\.address: `));
    expect(fake.connects).toEqual([]);
  });

  it('refuses a --limit that selects nothing', async () => {
    const fake = new FakeTransport({});
    const r = await run(['diff', '--limit', 'kitchen*', '--inventory', inventory()], fake);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--limit: `kitchen*` matches no host or group');
    expect(fake.connects).toEqual([]);
  });
});

describe('fleet apply', () => {
  it('refuses to change hosts without a terminal and without --yes', async () => {
    const fake = new FakeTransport({ lab1: host(FRESH), lab2: host(FRESH) });
    const r = await run(['apply', '--inventory', inventory()], fake);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to change 2 host(s) without a terminal to confirm on; pass --yes');
    expect(applies(fake)).toEqual([]);
    expect(fake.openSessions).toBe(0);
  });

  it('asks on a terminal, then applies on the connection it planned on', async () => {
    const fake = new FakeTransport({ lab1: host(FRESH), lab2: host(APPLIED) });
    const r = await run(['apply', '--inventory', inventory()], fake, true);
    expect(r.code).toBe(0);
    expect(fake.connects).toEqual(['lab1', 'lab2']);
    expect(applies(fake).map((c) => c.host)).toEqual(['lab1']);
    expect(r.stdout).toMatch(/│ lab1 │ 6 +│ 0 +│ yes +│ changed +│/);
    expect(r.stdout).toMatch(/│ lab2 │ 0 +│ 0 +│ - +│ unchanged +│/);
    expect(fake.openSessions).toBe(0);
  });

  it('reports a host whose apply failed with the step and the end of stderr, and applies the rest', async () => {
    const failed = { stdout: '', stderr: 'iptables-restore: line 4 failed\niptables-restore rejected the change; nothing was changed\n', code: 22 };
    const fake = new FakeTransport({ lab1: host(FRESH, failed), lab2: host(FRESH) });
    const r = await run(['apply', '--yes', '--inventory', inventory()], fake);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/│ lab1 │ 0 +│ 0 +│ - +│ failed: apply +│/);
    expect(r.stdout).toMatch(/│ lab2 │ 6 +│ 0 +│ yes +│ changed +│/);
    expect(r.stdout).toContain('lab1: apply: exit 22: iptables-restore: line 4 failed / iptables-restore rejected the change; nothing was changed');
  });

  it('says so when there is nothing to change', async () => {
    const fake = new FakeTransport({ lab1: host(APPLIED), lab2: host(APPLIED) });
    const r = await run(['apply', '--yes', '--inventory', inventory()], fake);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to change: every host is in sync');
    expect(applies(fake)).toEqual([]);
  });
});

describe('fleet clear', () => {
  it("removes every rule of both of fleet's chains and their jumps, and nothing on a clean host", async () => {
    const fake = new FakeTransport({ lab1: host(APPLIED), lab2: host(FRESH) });
    const r = await run(['clear', '--yes', '--inventory', inventory()], fake);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  - ip6tables -A INPUT -j FLEET-INPUT\n');
    expect(r.stdout).toMatch(/│ lab1 │ 0 +│ 6 +│ yes +│ changed +│/);
    expect(r.stdout).toMatch(/│ lab2 │ 0 +│ 0 +│ - +│ unchanged +│/);
    const sent = applies(fake);
    expect(sent.map((c) => c.host)).toEqual(['lab1']);
    expect(sent[0]?.stdin).toContain('-X FLEET-INPUT');
  });
});
