import { parseInventory } from '../../src/inventory/parse.js';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { UserErrors } from '../../src/errors.js';

const parse = (inventory: string, policies: Record<string, string> = {}) =>
  parseConfig(
    {
      inventory: { file: 'hosts.yaml', text: inventory },
      policiesDir: 'policies',
      policies: Object.entries(policies).map(([name, text]) => ({ file: `policies/${name}.yaml`, text })),
    },
    '/home/me',
  );

describe('the shipped example', () => {
  it('is the lab demo fleet: lab1 and lab2 with the lab key, taking office-only', async () => {
    const { inventory, policies } = await loadConfig({ inventory: 'inventory/hosts.yaml', policies: 'policies' }, '/home/me');
    expect(inventory.hosts).toEqual([
      {
        name: 'lab1', address: '198.18.1.1', port: 22, user: 'pi', identityFile: '/run/fleet-lab/id_ed25519',
        knownHostsFile: '/run/fleet-lab/known_hosts', sudo: true, policies: ['office-only'], groups: [],
        where: { file: 'inventory/hosts.yaml', line: 11, col: 3 },
      },
      {
        name: 'lab2', address: '198.18.1.2', port: 22, user: 'pi', identityFile: '/run/fleet-lab/id_ed25519',
        knownHostsFile: '/run/fleet-lab/known_hosts', sudo: true, policies: ['office-only'], groups: [],
        where: { file: 'inventory/hosts.yaml', line: 14, col: 3 },
      },
    ]);
    expect(policies.map((p) => p.name)).toEqual(['example-forms', 'office-only']);
  });

  it('allows only the office PC, by both its addresses, to nginx1 80/tcp, and says nothing of nginx2', async () => {
    const { policies } = await loadConfig({ inventory: 'inventory/hosts.yaml', policies: 'policies' }, '/home/me');
    expect(policies.find((p) => p.name === 'office-only')?.rules).toEqual([
      {
        policy: 'office-only',
        target: { kind: 'container', container: 'nginx1', port: 80, protocol: 'tcp' },
        allow: [{ cidr: '198.18.0.10/32', family: 4 }, { cidr: 'fd5e:e7f1:ab00::10/128', family: 6 }],
        where: { file: 'policies/office-only.yaml', line: 6, col: 5 },
      },
    ]);
  });
});

describe('inventory', () => {
  const INVENTORY = `defaults:
  user: pi
  identityFile: ~/.ssh/id_ed25519
hosts:
  kitchen-pi:
    address: 192.168.1.50
    policies: [office-only]
  garage-pi:
    address: garage.lan
    port: 2222
    user: admin
    sudo: false
    knownHostsFile: ~/fleet/known_hosts
    policies: [office-only, grafana-public]
  root-pi:
    address: "fd00::7"
    user: root
groups:
  cameras:
    hosts: [kitchen-pi, garage-pi]
    policies: [camera-lan]
`;
  const none = 'rules: []\n';
  const { inventory } = parse(INVENTORY, { 'office-only': none, 'grafana-public': none, 'camera-lan': none });
  const host = (name: string) => inventory.hosts.find((h) => h.name === name);

  it('gives every host the defaults unless it says otherwise, with ~ expanded', () => {
    expect(host('kitchen-pi')).toMatchObject({
      port: 22, user: 'pi', sudo: true, identityFile: '/home/me/.ssh/id_ed25519',
      knownHostsFile: '/home/me/.ssh/known_hosts',
    });
    expect(host('garage-pi')).toMatchObject({ port: 2222, user: 'admin', sudo: false, knownHostsFile: '/home/me/fleet/known_hosts' });
  });

  it('does not use sudo for root unless told to', () => {
    expect(host('root-pi')?.sudo).toBe(false);
  });

  it('gives hosts the policies of their groups, sorted and once each', () => {
    expect(host('kitchen-pi')).toMatchObject({ policies: ['camera-lan', 'office-only'], groups: ['cameras'] });
    expect(host('garage-pi')?.policies).toEqual(['camera-lan', 'grafana-public', 'office-only']);
    expect(host('root-pi')).toMatchObject({ policies: [], groups: [] });
    expect(inventory.groups).toEqual({ cameras: ['garage-pi', 'kitchen-pi'] });
  });

  it('keeps hosts in file order, addresses as written', () => {
    expect(inventory.hosts.map((h) => `${h.name} ${h.address}`)).toEqual([
      'kitchen-pi 192.168.1.50', 'garage-pi garage.lan', 'root-pi fd00::7',
    ]);
  });
});

describe('policy', () => {
  const hosts = 'defaults: {user: pi}\nhosts:\n  a:\n    address: 10.0.0.1\n    policies: [p]\n';
  const rulesOf = (text: string) => parse(hosts, { p: text }).policies[0]?.rules;

  it('expands source names and normalises, sorts and dedupes the allow list', () => {
    const [rule] = rulesOf(`sources:
  office: [192.168.1.24, 192.168.1.0/28]
  vpn: ["FD00::1", 10.8.0.5]
rules:
  - container: nginx1
    allow: [office, 10.8.0.5, vpn, 0.0.0.0/0]
`) ?? [];
    expect(rule?.allow.map((s) => s.cidr)).toEqual([
      '0.0.0.0/0', '10.8.0.5/32', '192.168.1.0/28', '192.168.1.24/32', 'fd00::1/128',
    ]);
    expect(rule?.target).toEqual({ kind: 'container', container: 'nginx1', protocol: 'tcp' });
  });

  it('reads host ports and protocols, `80` as tcp and `53/UDP` as udp', () => {
    const rules = rulesOf(`rules:
  - hostPort: 9000/udp
    allow: []
  - container: dns
    port: 53/UDP
    allow: [10.0.0.0/8]
  - container: web
    port: 80
    allow: []
`);
    expect(rules?.map((r) => r.target)).toEqual([
      { kind: 'hostPort', hostPort: 9000, protocol: 'udp' },
      { kind: 'container', container: 'dns', port: 53, protocol: 'udp' },
      { kind: 'container', container: 'web', port: 80, protocol: 'tcp' },
    ]);
    expect(rules?.map((r) => r.where.line)).toEqual([2, 4, 7]);
  });
});

describe('loadConfig', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const setUp = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-config-'));
    mkdirSync(join(dir, 'policies'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  };
  const errorsOf = async (paths: { inventory: string; policies: string }) =>
    loadConfig(paths, '/home/me').then(
      () => [],
      (err: unknown) => (err instanceof UserErrors ? err.errors.map((e) => e.message) : [String(err)]),
    );

  it('reads the .yaml files of the policy directory and nothing else', async () => {
    setUp({
      'hosts.yaml': 'defaults: {user: pi}\nhosts:\n  a:\n    address: 10.0.0.1\n    policies: [web]\n',
      'policies/web.yaml': 'rules: []\n',
      'policies/README.md': '# not a policy\n',
    });
    const config = await loadConfig({ inventory: join(dir, 'hosts.yaml'), policies: join(dir, 'policies') }, '/h');
    expect(config.policies).toEqual([{ name: 'web', file: join(dir, 'policies/web.yaml'), rules: [] }]);
  });

  it('says which file or directory it cannot read', async () => {
    setUp({});
    expect(await errorsOf({ inventory: join(dir, 'nope.yaml'), policies: join(dir, 'policies') })).toEqual([
      `${join(dir, 'nope.yaml')}: cannot read it: no such file or directory (pass an inventory file with --inventory FILE)`,
    ]);
    writeFileSync(join(dir, 'hosts.yaml'), 'hosts: {}\n');
    expect(await errorsOf({ inventory: join(dir, 'hosts.yaml'), policies: join(dir, 'none') })).toEqual([
      `${join(dir, 'none')}: cannot read it: no such file or directory (pass the directory of policy files with --policies DIR)`,
    ]);
  });

  it('refuses a .yml policy file rather than leave it out', async () => {
    setUp({ 'hosts.yaml': 'hosts: {}\n', 'policies/web.yml': 'rules: []\n' });
    expect(await errorsOf({ inventory: join(dir, 'hosts.yaml'), policies: join(dir, 'policies') })).toEqual([
      `${join(dir, 'policies/web.yml')}: policy files end in \`.yaml\` (rename it to web.yaml)`,
    ]);
  });
});

describe('connection defaults', () => {
  const parse = (text: string) =>
    parseInventory(text, 'hosts.yaml', { home: '/home/me', policies: [], policiesDir: 'policies' });

  it('marks a port nobody wrote as defaulted, so ~/.ssh/config may set it', () => {
    const { inventory } = parse('hosts:\n  a: { address: 198.18.1.1, user: pi }\n  b: { address: 198.18.1.2, user: pi, port: 2222 }\n');
    expect(inventory.hosts.map((h) => [h.port, h.defaulted])).toEqual([[22, ['port']], [2222, undefined]]);
  });
});
