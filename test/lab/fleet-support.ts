// Running fleet in-process against the lab, as a user would from a shell, and reading the hosts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/main.js';
import { ssh2Transport, type Transport } from '../../src/ssh/index.js';
import { hostExec, probe, type LabHost } from './lab.js';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const home = mkdtempSync(join(tmpdir(), 'fleet-home-'));

export async function fleet(args: string[], transport: Transport = ssh2Transport): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    transport,
    io: {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      interactive: false,
      color: false,
      ask: async () => 'n',
      env: {},
      home,
    },
  });
  return { code, stdout, stderr };
}

/** An inventory of lab hosts, all taking `policies`, written to a temporary file. */
export function labInventory(
  hosts: LabHost[],
  policies: string[],
  knownHostsFile = '/run/fleet-lab/known_hosts',
): string {
  const lines = [
    'defaults:',
    '  user: pi',
    '  identityFile: /run/fleet-lab/id_ed25519',
    `  knownHostsFile: ${knownHostsFile}`,
    'hosts:',
    ...hosts.map((h) => `  ${h.name}: { address: ${h.address}, policies: [${policies.join(', ')}] }`),
  ];
  const file = join(mkdtempSync(join(tmpdir(), 'fleet-inv-')), 'hosts.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A policy directory with the given files (name without .yaml to text). */
export function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-pol-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.yaml`), text);
  return dir;
}

/** The host's filter table as iptables-save prints it, less comments and counters. */
export async function filterTable(host: string, family: 4 | 6 = 4): Promise<string> {
  const tool = family === 4 ? 'iptables-save' : 'ip6tables-save';
  const r = await hostExec(host, [tool, '-t', 'filter']);
  if (r.code !== 0) throw new Error(`${host}: ${tool}: ${r.stderr}`);
  return r.stdout.replace(/^#.*\n/gm, '').replace(/ \[\d+:\d+\]$/gm, '');
}

export async function savedRules(host: string): Promise<string | undefined> {
  const r = await hostExec(host, ['cat', '/etc/iptables/rules.v4']);
  return r.code === 0 ? r.stdout.replace(/^#.*\n/gm, '') : undefined;
}

export function count(text: string, line: string): number {
  return text.split('\n').filter((l) => l === line).length;
}

/** Probes from both lab clients to each port of `address` and checks every answer. */
export async function expectAccess(
  address: string,
  expected: Record<string, 'open' | 'refused' | 'timeout'>,
): Promise<void> {
  const seen: Record<string, string> = {};
  for (const key of Object.keys(expected)) {
    const [client, port] = key.split(' ') as ['pc-a' | 'pc-b', string];
    seen[key] = await probe(client, address, Number(port));
  }
  expect(seen).toEqual(expected);
}
