// The apply script against a real kernel: a scratch network namespace holding Docker 20.10's real
// filter table, its own /etc/iptables, and the script run there as fleet runs it over SSH. Each
// failure is injected for real (a rule the kernel rejects, a read-only /etc/iptables) and the
// host must come out exactly as it went in.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { HostError } from '../../src/errors.js';
import type { HostSpec, Rule } from '../../src/model.js';
import { applyRules, readFacts } from '../../src/run/host-steps.js';
import type { ExecOptions, ExecResult, Session } from '../../src/ssh/index.js';

const NS = 'flt-apply'; // not fl-*: the lab owns that prefix and sweeps it
const ETC = `/etc/netns/${NS}/iptables`;
const DOCKER_LAYOUT = readFileSync('test/fixtures/docker-20.10/iptables-save-filter.txt', 'utf8');
const host: HostSpec = {
  name: 'scratch', address: '198.18.9.9', port: 22, user: 'root', knownHostsFile: '/dev/null',
  sudo: false, policies: [], groups: [], where: { file: 'test', line: 1, col: 1 },
};

/**
 * Runs commands in the scratch namespace as fleet's SSH session would, with a /run of its own (so
 * the script's lock file stays out of the machine's); `prefix` runs first.
 */
function session(prefix = ''): Session {
  return {
    async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
      const own = 'mount -t tmpfs fleet-test /run && ';
      const argv = ['netns', 'exec', NS, 'sh', '-c', `${own}${prefix}${command}`];
      const r = spawnSync('ip', argv, { encoding: 'utf8', input: opts?.stdin ?? '' });
      return { stdout: r.stdout, stderr: r.stderr, code: r.status };
    },
    async close() {},
  };
}

const inNs = (...argv: string[]) => execFileSync('ip', ['netns', 'exec', NS, ...argv], { encoding: 'utf8' });
const filter = () => inNs('iptables-save', '-t', 'filter').replace(/^#.*\n/gm, '');
const saved = () => readFileSync(`${ETC}/rules.v4`, 'utf8');

const PORT = '-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL';
const wanted: Rule[] = [
  { family: 4, chain: 'DOCKER-USER', spec: '-j FLEET', reason: 'jump' },
  { family: 4, chain: 'FLEET', spec: `-s 198.18.0.10/32 ${PORT} -j RETURN`, reason: 'allow' },
  { family: 4, chain: 'FLEET', spec: `${PORT} -j REJECT --reject-with icmp-port-unreachable`, reason: 'reject' },
];
const restore = (extra = '') =>
  ['*filter', ':FLEET - [0:0]', ...wanted.slice(1).map((r) => `-A FLEET ${r.spec}`), extra, '-I DOCKER-USER 1 -j FLEET', 'COMMIT', '']
    .filter((l, i, all) => l !== '' || i === all.length - 1)
    .join('\n');

async function apply(s: Session, restores: { 4?: string; 6?: string }, persist = true, want = wanted) {
  const facts = await readFacts(host, s);
  return applyRules(host, s, facts, restores, want, persist);
}

async function failure(promise: Promise<unknown>): Promise<HostError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HostError);
  return err as HostError;
}

describe('the apply script on a real kernel', () => {
  beforeEach(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(`/etc/netns/${NS}`, { recursive: true, force: true });
    mkdirSync(ETC, { recursive: true });
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['netns', 'exec', NS, 'iptables-restore'], { input: DOCKER_LAYOUT });
    writeFileSync(`${ETC}/rules.v4`, '# saved before fleet\n');
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
    rmSync(`/etc/netns/${NS}`, { recursive: true, force: true });
  });

  it('applies, verifies and persists, with the jump first in DOCKER-USER', async () => {
    const outcome = await apply(session(), { 4: restore() });
    expect(outcome).toEqual({ persisted: true, steps: ['applied', 'verified', 'persisted'] });
    const live = filter();
    expect(live).toMatch(/^-A DOCKER-USER -j FLEET\n-A DOCKER-USER -j RETURN$/m);
    for (const r of wanted.slice(1)) expect(live).toContain(`-A FLEET ${r.spec}\n`);
    expect(saved()).toContain(`-A FLEET -s 198.18.0.10/32 ${PORT} -j RETURN`);
    expect(saved()).toContain('-A DOCKER-USER -j FLEET');
  });

  it('changes nothing without --persist beyond the live rules', async () => {
    const outcome = await apply(session(), { 4: restore() }, false);
    expect(outcome).toEqual({ persisted: false, steps: ['applied', 'verified'] });
    expect(saved()).toBe('# saved before fleet\n');
  });

  it('refuses to act on rules that changed since they were read', async () => {
    const s = session();
    const facts = await readFacts(host, s);
    inNs('iptables', '-I', 'DOCKER-USER', '1', '-s', '198.18.0.99', '-j', 'ACCEPT');
    const before = filter();
    inNs('iptables', '-N', 'FLEET');
    const changed = filter();
    const err = await failure(applyRules(host, s, facts, { 4: restore() }, wanted, true));
    expect(err.step).toBe('check rules before applying');
    expect(err.detail).toContain("fleet's IPv4 rules changed since they were read; run fleet diff again");
    expect(filter()).toBe(changed);
    expect(before).not.toBe(changed);
  });

  it('leaves the host exactly as it was when the kernel rejects the restore', async () => {
    const before = filter();
    const err = await failure(apply(session(), { 4: restore('-A FLEET -j NO-SUCH-CHAIN') }));
    expect(err.step).toBe('apply');
    expect(err.detail).toContain('iptables-restore rejected the change; nothing was changed');
    expect(filter()).toBe(before);
    expect(saved()).toBe('# saved before fleet\n');
  });

  it('rolls back when the live rules differ from the plan after the change', async () => {
    const before = filter();
    const err = await failure(apply(session(), { 4: restore('-A FLEET -s 198.18.0.66/32 -j RETURN') }));
    expect(err.step).toBe('verify');
    expect(filter()).toBe(before);
  });

  it('rolls back the live rules and keeps the saved file when saving fails', async () => {
    const before = filter();
    const readOnly = session('mount -o remount,bind,ro /etc/iptables && ');
    const err = await failure(apply(readOnly, { 4: restore() }));
    expect(err.step).toBe('persist');
    expect(err.detail).toContain('cannot back up /etc/iptables/rules.v4 before saving');
    expect(filter()).toBe(before);
    expect(saved()).toBe('# saved before fleet\n');
  });

  it('puts an earlier FLEET chain back, rules and jump position, after a failed change', async () => {
    await apply(session(), { 4: restore() });
    inNs('iptables', '-I', 'DOCKER-USER', '1', '-s', '198.18.0.77', '-j', 'DROP');
    const before = filter();
    const err = await failure(apply(session(), { 4: restore('-A FLEET -j NO-SUCH-CHAIN') }));
    expect(err.step).toBe('apply');
    expect(filter()).toBe(before);
    const verifyFail = await failure(apply(session(), { 4: restore('-A FLEET -s 198.18.0.66/32 -j RETURN') }));
    expect(verifyFail.step).toBe('verify');
    expect(filter()).toBe(before);
  });
});
