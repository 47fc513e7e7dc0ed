import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { UserErrors } from '../../src/errors.js';

// Broken input, one mistake (or two that go together) per case, and every message it must give,
// exactly. The inventory cases use a valid policy office-only; the policy cases a valid inventory
// whose one host takes policy p.

const OFFICE_ONLY = `sources:
  office: [198.18.0.10]
rules:
  - container: nginx1
    port: 80
    allow: [office]
`;

const TAKES_P = 'defaults: {user: pi}\nhosts:\n  lab1:\n    address: 198.18.1.1\n    policies: [p]\n';

interface Case {
  name: string;
  inventory?: string;
  policy?: string;
  file?: string;
  errors: string[];
}

const cases: Case[] = [
  {
    name: 'top key typo',
    inventory: 'hots:\n  lab1:\n    address: 198.18.1.1\n',
    errors: [
      'inventory/hosts.yaml:1:1: hots: unknown key `hots` (did you mean `hosts`?)',
      'inventory/hosts.yaml:1:1: hosts: missing `hosts` (add `hosts:`, each with an `address:`)',
    ],
  },
  {
    name: 'port 70000',
    inventory: 'hosts:\n  lab1:\n    address: 198.18.1.1\n    user: pi\n    port: 70000\n',
    errors: [
      'inventory/hosts.yaml:5:11: hosts.lab1.port: `70000` is not a port (use a whole number from 1 to 65535)',
    ],
  },
  {
    name: 'adress typo',
    inventory: 'hosts:\n  lab1:\n    adress: 198.18.1.1\n    user: pi\n',
    errors: [
      'inventory/hosts.yaml:2:3: hosts.lab1.address: missing `address` (add `address:` with the IP address or DNS name to reach it by SSH)',
      'inventory/hosts.yaml:3:5: hosts.lab1.adress: unknown key `adress` (did you mean `address`?)',
    ],
  },
  {
    name: 'ipv4 300',
    inventory: 'hosts:\n  lab1:\n    address: 192.168.1.300\n    user: pi\n',
    errors: [
      'inventory/hosts.yaml:3:14: hosts.lab1.address: `192.168.1.300` is not a valid IPv4 address (write an IPv4 or IPv6 address, or a DNS name)',
    ],
  },
  {
    name: 'ipv6 ::g',
    inventory: 'hosts:\n  lab1:\n    address: "::g"\n    user: pi\n',
    errors: [
      'inventory/hosts.yaml:3:14: hosts.lab1.address: `::g` is not a valid IPv6 address (write an IPv4 or IPv6 address, or a DNS name)',
    ],
  },
  {
    name: 'bad dns',
    inventory: 'hosts:\n  lab1:\n    address: bad_name!\n    user: pi\n',
    errors: [
      'inventory/hosts.yaml:3:14: hosts.lab1.address: `bad_name!` is not a valid DNS name (write an IPv4 or IPv6 address, or a DNS name)',
    ],
  },
  {
    name: 'dup host',
    inventory: 'defaults: {user: pi}\nhosts:\n  lab1:\n    address: 198.18.1.1\n  lab1:\n    address: 198.18.1.2\n',
    errors: [
      'inventory/hosts.yaml:5:3: hosts.lab1: `lab1` is given twice (the first is on line 3; keep one)',
    ],
  },
  {
    name: 'dup address',
    inventory: 'defaults: {user: pi}\nhosts:\n  lab1:\n    address: 198.18.1.1\n  lab2:\n    address: 198.18.1.1\n',
    errors: [
      'inventory/hosts.yaml:6:14: hosts.lab2.address: same address and port as host `lab1` (198.18.1.1 port 22) (give each host its own address, or remove one)',
    ],
  },
  {
    name: 'dup address v6 forms',
    inventory: 'defaults: {user: pi}\nhosts:\n  a:\n    address: "fd00::1"\n  b:\n    address: "FD00:0::1"\n',
    errors: [
      'inventory/hosts.yaml:6:14: hosts.b.address: same address and port as host `a` (fd00::1 port 22) (give each host its own address, or remove one)',
    ],
  },
  {
    name: 'policy typo',
    inventory: 'defaults: {user: pi}\nhosts:\n  lab1:\n    address: 198.18.1.1\n    policies: [ofice-only]\n',
    errors: [
      'inventory/hosts.yaml:5:16: hosts.lab1.policies[0]: unknown policy `ofice-only` (did you mean `office-only`?)',
    ],
  },
  {
    name: 'policy unknown',
    inventory: 'defaults: {user: pi}\nhosts:\n  lab1:\n    address: 198.18.1.1\n    policies: [grafana]\n',
    errors: [
      'inventory/hosts.yaml:5:16: hosts.lab1.policies[0]: unknown policy `grafana` (there is no policies/grafana.yaml; known policies: office-only)',
    ],
  },
  {
    name: 'group unknown host',
    inventory: 'defaults:\n  user: pi\nhosts:\n  lab1:\n    address: 198.18.1.1\n    policies: [office-only]\ngroups:\n  cams:\n    hosts: [lab1, lab3]\n    policies: [office-only]\n',
    errors: [
      'inventory/hosts.yaml:9:19: groups.cams.hosts[1]: unknown host `lab3` (did you mean `lab1`?)',
    ],
  },
  {
    name: 'group no hosts',
    inventory: 'defaults:\n  user: pi\nhosts:\n  lab1:\n    address: 198.18.1.1\n    policies: [office-only]\ngroups:\n  cams:\n    policies: [office-only]\n',
    errors: [
      'inventory/hosts.yaml:8:3: groups.cams.hosts: missing `hosts` (list the hosts that take this group\'s policies)',
    ],
  },
  {
    name: 'sudo yes',
    inventory: 'hosts:\n  lab1:\n    address: 198.18.1.1\n    user: pi\n    sudo: yes\n',
    errors: [
      'inventory/hosts.yaml:5:11: hosts.lab1.sudo: should be true or false, not `yes` (write true or false)',
    ],
  },
  {
    name: 'no user',
    inventory: 'hosts:\n  lab1:\n    address: 198.18.1.1\n',
    errors: [
      'inventory/hosts.yaml:2:3: hosts.lab1.user: no `user` to log in as (set `user:` here or under `defaults:`)',
    ],
  },
  {
    name: 'tilde user',
    inventory: 'defaults:\n  user: pi\n  identityFile: ~bob/.ssh/id\nhosts:\n  lab1:\n    address: 198.18.1.1\n',
    errors: [
      'inventory/hosts.yaml:3:17: defaults.identityFile: `~bob/.ssh/id`: only `~` and `~/` are expanded (write the full path)',
    ],
  },
  {
    name: 'syntax',
    inventory: 'hosts:\n  lab1:\n    address: 198.18.1.1\n   user: pi\n',
    errors: [
      'inventory/hosts.yaml:4:1: YAML syntax: All mapping items must start at the same column (check the indentation, quotes and brackets here)',
    ],
  },
  {
    name: 'tab',
    inventory: 'hosts:\n\tlab1: {}\n',
    errors: [
      'inventory/hosts.yaml:2:1: a tab used as indentation (indent with spaces)',
    ],
  },
  {
    name: 'empty',
    inventory: '',
    errors: [
      'inventory/hosts.yaml:1:1: the inventory is empty (add `hosts:`, each with an `address:`)',
    ],
  },
  {
    name: 'hosts list',
    inventory: 'hosts:\n  - lab1\n',
    errors: [
      'inventory/hosts.yaml:2:3: hosts: should be a mapping, not a list (write `key: value` lines below it, indented)',
    ],
  },
  {
    name: 'host name',
    inventory: 'defaults: {user: pi}\nhosts:\n  kitchen pi:\n    address: 198.18.1.1\n',
    errors: [
      'inventory/hosts.yaml:3:3: hosts.kitchen pi: `kitchen pi` is not a host name (use letters, digits, `_`, `.` and `-`, starting with a letter or digit)',
    ],
  },
  {
    name: 'policies scalar',
    inventory: 'defaults: {user: pi}\nhosts:\n  lab1:\n    address: 198.18.1.1\n    policies: office-only\n',
    errors: [
      'inventory/hosts.yaml:5:15: hosts.lab1.policies: should be a list, not `office-only` (write [a, b] or one `- item` per line)',
    ],
  },
  {
    name: 'alias',
    inventory: 'defaults: &d {user: pi}\nhosts:\n  lab1:\n    address: 198.18.1.1\n    user: *d\n',
    errors: [
      'inventory/hosts.yaml:5:11: YAML alias `*d` is not supported (write the value out)',
    ],
  },
  {
    name: 'two docs',
    inventory: 'hosts: {}\n---\nhosts: {}\n',
    errors: [
      'inventory/hosts.yaml:2:1: more than one YAML document (keep one: remove the extra `---`)',
    ],
  },
  {
    name: 'defaults policies',
    inventory: 'defaults:\n  user: pi\n  policies: [office-only]\nhosts:\n  lab1:\n    address: 198.18.1.1\n',
    errors: [
      'inventory/hosts.yaml:3:3: defaults.policies: unknown key `policies` (known keys: user, port, identityFile, knownHostsFile, sudo)',
    ],
  },
  {
    name: 'port string',
    inventory: 'defaults: {user: pi, port: "22"}\nhosts:\n  lab1:\n    address: 198.18.1.1\n',
    errors: [
      'inventory/hosts.yaml:1:28: defaults.port: `"22"` is text, not a number (write it without quotes: 22)',
    ],
  },
  {
    name: 'no hosts',
    inventory: 'hosts: {}\n',
    errors: [
      'inventory/hosts.yaml:1:1: hosts: there are no hosts (add a host: `name:` with `address:` below it)',
    ],
  },
  {
    name: 'user bad',
    inventory: 'hosts:\n  lab1:\n    address: 198.18.1.1\n    user: "pi; reboot"\n',
    errors: [
      'inventory/hosts.yaml:4:11: hosts.lab1.user: `pi; reboot` is not a user name (use at most 32 letters, digits, `_`, `.` and `-`)',
    ],
  },
  {
    name: 'host null',
    inventory: 'defaults: {user: pi}\nhosts:\n  lab1:\n',
    errors: [
      'inventory/hosts.yaml:3:3: hosts.lab1: should be a mapping, not empty (write `key: value` lines below it, indented)',
    ],
  },
  {
    name: 'unclosed',
    inventory: 'hosts: [lab1\n',
    errors: [
      'inventory/hosts.yaml:2:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ] (check the indentation, quotes and brackets here)',
    ],
  },
  {
    name: 'prefix 33',
    policy: 'rules:\n  - container: nginx1\n    allow: [10.0.0.0/33]\n',
    errors: [
      'policies/p.yaml:3:13: rules[0].allow[0]: `10.0.0.0/33`: `/33` is not a prefix length for IPv4 (use /0 to /32)',
    ],
  },
  {
    name: 'host bits',
    policy: 'rules:\n  - container: nginx1\n    allow: [10.0.0.5/8]\n',
    errors: [
      'policies/p.yaml:3:13: rules[0].allow[0]: `10.0.0.5/8` has host bits set (did you mean the network `10.0.0.0/8`, or the one address `10.0.0.5/32`?)',
    ],
  },
  {
    name: 'source typo',
    policy: 'sources:\n  office: [198.18.0.10]\nrules:\n  - container: nginx1\n    allow: [offce]\n',
    errors: [
      'policies/p.yaml:5:13: rules[0].allow[0]: unknown source `offce` (did you mean `office`?)',
    ],
  },
  {
    name: 'source unknown',
    policy: 'rules:\n  - container: nginx1\n    allow: [office]\n',
    errors: [
      'policies/p.yaml:3:13: rules[0].allow[0]: unknown source `office` (name a set defined under `sources:` in this file, or write an address or network)',
    ],
  },
  {
    name: 'both',
    policy: 'rules:\n  - container: nginx1\n    hostPort: 8080\n    allow: []\n',
    errors: [
      'policies/p.yaml:3:5: rules[0].hostPort: a rule names `container` or `hostPort`, not both (split it into two rules)',
    ],
  },
  {
    name: 'neither',
    policy: 'rules:\n  - allow: []\n',
    errors: [
      'policies/p.yaml:2:5: rules[0]: missing `container` or `hostPort` (add `container:` with the container\'s name, or `hostPort:` with the published port)',
    ],
  },
  {
    name: 'sctp',
    policy: 'rules:\n  - container: nginx1\n    port: 80/sctp\n    allow: []\n',
    errors: [
      'policies/p.yaml:3:11: rules[0].port: `80/sctp`: fleet handles tcp and udp only (write 80/tcp or 80/udp)',
    ],
  },
  {
    name: 'port 0',
    policy: 'rules:\n  - container: nginx1\n    port: 0\n    allow: []\n',
    errors: [
      'policies/p.yaml:3:11: rules[0].port: `0` is not a port (use a whole number from 1 to 65535)',
    ],
  },
  {
    name: 'port text',
    policy: 'rules:\n  - hostPort: http\n    allow: []\n',
    errors: [
      'policies/p.yaml:2:15: rules[0].hostPort: `http` is not a port (write a number from 1 to 65535, then /udp for udp: 80, 80/tcp, 53/udp)',
    ],
  },
  {
    name: 'hostPort+port',
    policy: 'rules:\n  - hostPort: 9000/udp\n    port: 53\n    allow: []\n',
    errors: [
      'policies/p.yaml:3:5: rules[0].port: `port` goes with `container`, not with `hostPort` (give the protocol in hostPort instead, like `hostPort: 9000/udp`)',
    ],
  },
  {
    name: 'slash name',
    policy: 'rules:\n  - container: /nginx1\n    allow: []\n',
    errors: [
      'policies/p.yaml:2:16: rules[0].container: `/nginx1` is not a Docker container name (write `nginx1`)',
    ],
  },
  {
    name: 'shell name',
    policy: 'rules:\n  - container: "nginx1; rm -rf /"\n    allow: []\n',
    errors: [
      'policies/p.yaml:2:16: rules[0].container: `nginx1; rm -rf /` is not a Docker container name (use letters, digits, `_`, `.` and `-`, starting with a letter or digit)',
    ],
  },
  {
    name: 'no allow',
    policy: 'rules:\n  - container: nginx1\n',
    errors: [
      'policies/p.yaml:2:5: rules[0].allow: missing `allow` (list who may connect: addresses, networks or source names; `allow: []` lets nobody in)',
    ],
  },
  {
    name: 'allow scalar',
    policy: 'sources:\n  office: [198.18.0.10]\nrules:\n  - container: nginx1\n    allow: office\n',
    errors: [
      'policies/p.yaml:5:12: rules[0].allow: should be a list, not `office` (write [a, b] or one `- item` per line)',
    ],
  },
  {
    name: 'no rules',
    policy: 'sources:\n  office: [198.18.0.10]\n',
    errors: [
      'policies/p.yaml:1:1: rules: missing `rules` (add `rules:`, a list of who may reach what)',
    ],
  },
  {
    name: 'rule key typo',
    policy: 'rules:\n  - container: nginx1\n    alow: []\n',
    errors: [
      'policies/p.yaml:2:5: rules[0].allow: missing `allow` (list who may connect: addresses, networks or source names; `allow: []` lets nobody in)',
      'policies/p.yaml:3:5: rules[0].alow: unknown key `alow` (did you mean `allow`?)',
    ],
  },
  {
    name: 'source scalar',
    policy: 'sources:\n  office: 198.18.0.10\nrules: []\n',
    errors: [
      'policies/p.yaml:2:11: sources.office: should be a list, not `198.18.0.10` (write [a, b] or one `- item` per line)',
    ],
  },
  {
    name: 'source name addr',
    policy: 'sources:\n  "10.1": [10.1.0.0/16]\nrules: []\n',
    errors: [
      'policies/p.yaml:2:3: sources.10.1: `10.1` is not a source name (use a name that starts with a letter and is not an address, like `office`)',
    ],
  },
  {
    name: 'mapped v6',
    policy: 'rules:\n  - container: nginx1\n    allow: ["::ffff:1.2.3.4"]\n',
    errors: [
      'policies/p.yaml:3:13: rules[0].allow[0]: `::ffff:1.2.3.4` is an IPv4 address written as IPv6 (write 1.2.3.4)',
    ],
  },
  {
    name: 'empty policy',
    policy: '',
    errors: [
      'policies/p.yaml:1:1: the policy is empty (add `rules:`, a list of who may reach what)',
    ],
  },
  {
    name: 'rules map',
    policy: 'rules:\n  container: nginx1\n',
    errors: [
      'policies/p.yaml:2:3: rules: should be a list, not a mapping (write [a, b] or one `- item` per line)',
    ],
  },
  {
    name: 'ipv4 in source',
    policy: 'sources:\n  office: [192.168.1.300, 10.0.0.1]\nrules: []\n',
    errors: [
      'policies/p.yaml:2:12: sources.office[0]: `192.168.1.300` is not an IPv4 address (write four numbers from 0 to 255, like 192.168.1.20)',
    ],
  },
  {
    name: 'bad v6',
    policy: 'rules:\n  - container: nginx1\n    allow: ["fd00::g/64"]\n',
    errors: [
      'policies/p.yaml:3:13: rules[0].allow[0]: `fd00::g/64` is not an IPv6 address (write it like fd00::10 or 2001:db8::/64, without a %zone)',
    ],
  },
  {
    name: 'zone',
    policy: 'rules:\n  - container: nginx1\n    allow: ["fe80::1%eth0"]\n',
    errors: [
      'policies/p.yaml:3:13: rules[0].allow[0]: `fe80::1%eth0` is not an IPv6 address (write it like fd00::10 or 2001:db8::/64, without a %zone)',
    ],
  },
  {
    name: 'file name',
    policy: 'rules: []\n',
    file: 'policies/my policy.yaml',
    errors: [
      'inventory/hosts.yaml:5:16: hosts.lab1.policies[0]: unknown policy `p` (there is no policies/p.yaml; known policies: my policy)',
      'policies/my policy.yaml:1:1: `my policy` is not a policy name (rename the file: use letters, digits, `_`, `.` and `-`, starting with a letter or digit)',
    ],
  },
  {
    name: 'number item',
    policy: 'rules:\n  - container: nginx1\n    allow: [10]\n',
    errors: [
      'policies/p.yaml:3:13: rules[0].allow[0]: should be text, not number `10` (write it as text, in quotes if need be)',
    ],
  },
];

function messages(files: Parameters<typeof parseConfig>[0]): string[] {
  try {
    parseConfig(files, '/home/me');
  } catch (err) {
    if (err instanceof UserErrors) return err.errors.map((e) => e.message);
    throw err;
  }
  return [];
}

function filesOf(c: Case): Parameters<typeof parseConfig>[0] {
  const policies = c.policy === undefined
    ? [{ file: 'policies/office-only.yaml', text: OFFICE_ONLY }]
    : [{ file: c.file ?? 'policies/p.yaml', text: c.policy }];
  const text = c.inventory ?? TAKES_P;
  return { inventory: { file: 'inventory/hosts.yaml', text }, policiesDir: 'policies', policies };
}

describe('bad input: each broken file gives exactly these messages', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', (c) => {
    expect(messages(filesOf(c))).toEqual(c.errors);
  });
});

describe('bad input across files', () => {
  const cams = (allow: string) => `rules:\n  - container: nginx1\n    port: 80/tcp\n    allow: [${allow}]\n`;
  const inventory = (hosts: string) =>
    `defaults: {user: pi}\nhosts:\n${hosts}groups:\n  cams:\n    hosts: [lab1, lab2]\n    policies: [cams]\n`;
  const both = '  lab1:\n    address: 198.18.1.1\n    policies: [office-only]\n' +
    '  lab2:\n    address: 198.18.1.2\n    policies: [office-only]\n';
  const files = (allow: string) => ({
    inventory: { file: 'inventory/hosts.yaml', text: inventory(both) },
    policiesDir: 'policies',
    policies: [
      { file: 'policies/office-only.yaml', text: OFFICE_ONLY },
      { file: 'policies/cams.yaml', text: cams(allow) },
    ],
  });

  it('reports a port restricted by two policies with different allow lists, naming both places', () => {
    expect(messages(files('10.0.0.0/8'))).toEqual([
      'policies/cams.yaml:2:5: rules[0]: nginx1 80/tcp on hosts lab1, lab2 gets another allow list from policy `office-only` (policies/office-only.yaml:4:5) (a port has one allow list per host: make the two lists equal, or keep one rule)',
    ]);
  });

  it('takes the same rule from two policies as one rule', () => {
    expect(messages(files('198.18.0.10/32'))).toEqual([]);
  });

  it('reports every file\'s errors at once, in file order', () => {
    const broken = {
      inventory: { file: 'inventory/hosts.yaml', text: 'hosts:\n  lab1:\n    address: 10.0.0.300\n    user: pi\n    policies: [a, b]\n' },
      policiesDir: 'policies',
      policies: [
        { file: 'policies/a.yaml', text: 'rules:\n  - container: x\n    allow: [10.0.0.1/8]\n' },
        { file: 'policies/b.yaml', text: 'rules:\n  - hostPort: 99999\n    allow: []\n' },
      ],
    };
    expect(messages(broken)).toEqual([
      'inventory/hosts.yaml:3:14: hosts.lab1.address: `10.0.0.300` is not a valid IPv4 address (write an IPv4 or IPv6 address, or a DNS name)',
      'policies/a.yaml:3:13: rules[0].allow[0]: `10.0.0.1/8` has host bits set (did you mean the network `10.0.0.0/8`, or the one address `10.0.0.1/32`?)',
      'policies/b.yaml:2:15: rules[0].hostPort: `99999` is not a port (use a whole number from 1 to 65535)',
    ]);
  });
});
