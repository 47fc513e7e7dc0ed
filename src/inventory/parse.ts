// The inventory file to an Inventory: defaults, hosts, and groups that give policies to several
// hosts at once. Every problem in the file is reported, each at its line and column.
import type { Node, YAMLMap } from 'yaml';
import type { UserError } from '../errors.js';
import type { HostSpec, Inventory } from '../model.js';
import { isName, NAME_RULE } from '../config/names.js';
import { expandHome } from '../config/paths.js';
import type { FileReport } from '../config/report.js';
import { suggest } from '../config/suggest.js';
import {
  asBool, asMap, asPort, asText, fields, readYaml, required, textItems, type Field,
} from '../config/yaml.js';
import { addressKey } from './address.js';

export interface InventoryContext {
  /** The home directory `~` stands for. */
  home: string;
  /** The names of the policies there are, to check the names the inventory gives. */
  policies: readonly string[];
  /** Where policy files live, for the message about a policy that does not exist. */
  policiesDir: string;
}

const TOP_KEYS = ['defaults', 'hosts', 'groups'];
const CONNECTION_KEYS = ['user', 'port', 'identityFile', 'knownHostsFile', 'sudo'];
const HOST_KEYS = ['address', ...CONNECTION_KEYS, 'policies'];
const GROUP_KEYS = ['hosts', 'policies'];
const USER = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,31}$/;

interface Connection {
  /** A user was written, valid or not: its absence is then no error of its own. */
  userWritten?: boolean;
  user?: string;
  port?: number;
  identityFile?: string;
  knownHostsFile?: string;
  sudo?: boolean;
}

interface Reader {
  ctx: InventoryContext;
  report: FileReport;
}

interface Group {
  name: string;
  hosts: string[];
  policies: string[];
}

export function parseInventory(
  text: string,
  file: string,
  ctx: InventoryContext,
): { inventory: Inventory; errors: UserError[] } {
  const { root, report } = readYaml(text, file);
  const inventory: Inventory = { file, hosts: [], groups: {} };
  if (root === null && report.errors.length === 0) {
    report.fail(undefined, '', 'the inventory is empty', 'add `hosts:`, each with an `address:`');
  }
  const top = root === null ? undefined : asMap(root, '', report);
  if (top) readInventory(top, inventory, { ctx, report });
  return { inventory, errors: report.errors };
}

function readInventory(top: YAMLMap, inventory: Inventory, r: Reader): void {
  const found = fields(top, '', r.report, TOP_KEYS);
  const defaultsField = found.get('defaults');
  const defaults = defaultsField ? readDefaults(defaultsField, r) : {};
  const hostsField = required(
    found,
    'hosts',
    { node: top, path: '' },
    r.report,
    'add `hosts:`, each with an `address:`',
  );
  const hosts = hostsField ? readHosts(hostsField, defaults, r) : [];
  const groupsField = found.get('groups');
  const names = hosts.map((h) => h.spec.name);
  const groups = groupsField ? readGroups(groupsField, names, r) : [];
  checkAddresses(hosts, r.report);
  inventory.hosts = hosts.map((host) => withGroups(host.spec, groups));
  inventory.groups = Object.fromEntries(groups.map((g) => [g.name, [...g.hosts].sort()]));
}

// ---------------------------------------------------------------- connection settings

function readDefaults(field: Field, r: Reader): Connection {
  const map = asMap(field.value, field.path, r.report, field.keyNode);
  return map ? readConnection(fields(map, field.path, r.report, CONNECTION_KEYS), r) : {};
}

function readConnection(found: Map<string, Field>, r: Reader): Connection {
  const read = <T>(key: string, how: (f: Field) => T | undefined): T | undefined => {
    const field = found.get(key);
    return field ? how(field) : undefined;
  };
  const values: Connection = {
    userWritten: found.has('user') || undefined,
    user: read('user', (f) => readUser(f, r.report)),
    port: read('port', (f) => asPort(f.value, f.path, r.report)),
    identityFile: read('identityFile', (f) => readPath(f, r)),
    knownHostsFile: read('knownHostsFile', (f) => readPath(f, r)),
    sudo: read('sudo', (f) => asBool(f.value, f.path, r.report)),
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

function readUser(field: Field, report: FileReport): string | undefined {
  const user = asText(field.value, field.path, report);
  if (user === undefined || USER.test(user)) return user;
  report.fail(
    field.value,
    field.path,
    `\`${user}\` is not a user name`,
    'use at most 32 letters, digits, `_`, `.` and `-`',
  );
  return undefined;
}

function readPath(field: Field, r: Reader): string | undefined {
  const path = asText(field.value, field.path, r.report);
  if (path === undefined) return undefined;
  const expanded = expandHome(path, r.ctx.home);
  if (expanded.ok) return expanded.value;
  r.report.fail(field.value, field.path, expanded.problem, expanded.fix);
  return undefined;
}

// ---------------------------------------------------------------- hosts

interface ReadHost {
  spec: HostSpec;
  addressNode: Node | null;
  addressKey: string;
}

function readHosts(field: Field, defaults: Connection, r: Reader): ReadHost[] {
  const map = asMap(field.value, field.path, r.report, field.keyNode);
  if (map && map.items.length === 0) {
    r.report.fail(
      field.keyNode,
      field.path,
      'there are no hosts',
      'add a host: `name:` with `address:` below it',
    );
  }
  const entries = map ? [...fields(map, field.path, r.report).values()] : [];
  return entries.flatMap((entry) => {
    const host = readHost(entry, defaults, r);
    return host ? [host] : [];
  });
}

function readHost(entry: Field, defaults: Connection, r: Reader): ReadHost | undefined {
  checkName(entry, 'host', r.report);
  const map = asMap(entry.value, entry.path, r.report, entry.keyNode);
  if (!map) return undefined;
  const found = fields(map, entry.path, r.report, HOST_KEYS);
  const address = readAddress(found, entry, r.report);
  const connection = { ...defaults, ...readConnection(found, r) };
  const policies = readPolicyNames(found.get('policies'), r);
  if (!found.has('user') && !defaults.userWritten) {
    r.report.fail(
      entry.keyNode,
      `${entry.path}.user`,
      'no `user` to log in as',
      'set `user:` here or under `defaults:`',
    );
  }
  if (!address || connection.user === undefined) return undefined;
  const spec = hostSpec(entry, address.text, { ...connection, user: connection.user }, policies, r);
  return { spec, addressNode: address.node, addressKey: `${address.key} port ${spec.port}` };
}

function readAddress(
  found: Map<string, Field>,
  entry: Field,
  report: FileReport,
): { text: string; key: string; node: Node | null } | undefined {
  const fix = 'add `address:` with the IP address or DNS name to reach it by SSH';
  const field = required(found, 'address', { node: entry.keyNode, path: entry.path }, report, fix);
  const text = field && asText(field.value, field.path, report);
  if (!field || text === undefined) return undefined;
  const key = addressKey(text);
  if (key.ok) return { text, key: key.value, node: field.value };
  report.fail(field.value, field.path, key.problem, key.fix);
  return undefined;
}

function hostSpec(
  entry: Field,
  address: string,
  connection: Connection & { user: string },
  policies: string[],
  r: Reader,
): HostSpec {
  const { identityFile } = connection;
  return {
    name: entry.key,
    address,
    port: connection.port ?? 22,
    user: connection.user,
    ...(identityFile === undefined ? {} : { identityFile }),
    knownHostsFile: connection.knownHostsFile ?? `${r.ctx.home}/.ssh/known_hosts`,
    // root needs no sudo, and may have none installed; everyone else needs it for iptables.
    sudo: connection.sudo ?? connection.user !== 'root',
    policies,
    groups: [],
    ...(connection.port === undefined ? { defaulted: ['port' as const] } : {}),
    where: r.report.where(entry.keyNode),
  };
}

/** Two hosts on one address and SSH port are one host written twice. */
function checkAddresses(hosts: ReadHost[], report: FileReport): void {
  const first = new Map<string, ReadHost>();
  for (const host of hosts) {
    const seen = first.get(host.addressKey);
    if (!seen) first.set(host.addressKey, host);
    else {
      const problem = `same address and port as host \`${seen.spec.name}\` (${host.addressKey})`;
      report.fail(
        host.addressNode,
        `hosts.${host.spec.name}.address`,
        problem,
        'give each host its own address, or remove one',
      );
    }
  }
}

// ---------------------------------------------------------------- groups and policy names

function readGroups(field: Field, hosts: string[], r: Reader): Group[] {
  const map = asMap(field.value, field.path, r.report, field.keyNode);
  const entries = map ? [...fields(map, field.path, r.report).values()] : [];
  return entries.flatMap((entry) => {
    checkName(entry, 'group', r.report);
    const group = asMap(entry.value, entry.path, r.report, entry.keyNode);
    return group ? [readGroup(entry, group, hosts, r)] : [];
  });
}

function readGroup(entry: Field, map: YAMLMap, hosts: string[], r: Reader): Group {
  const found = fields(map, entry.path, r.report, GROUP_KEYS);
  const fix = 'list the hosts that take this group\'s policies';
  const hostsField = required(
    found,
    'hosts',
    { node: entry.keyNode, path: entry.path },
    r.report,
    fix,
  );
  const members = hostsField ? textItems(hostsField.value, hostsField.path, r.report) : [];
  for (const member of members.filter((m) => !hosts.includes(m.text))) {
    r.report.fail(
      member.node,
      member.path,
      `unknown host \`${member.text}\``,
      suggest(member.text, hosts, 'hosts in this inventory'),
    );
  }
  const policies = readPolicyNames(found.get('policies'), r);
  return { name: entry.key, hosts: members.map((m) => m.text), policies };
}

function readPolicyNames(field: Field | undefined, r: Reader): string[] {
  const names = field ? textItems(field.value, field.path, r.report) : [];
  return names.flatMap((entry) => {
    if (r.ctx.policies.includes(entry.text)) return [entry.text];
    r.report.fail(
      entry.node,
      entry.path,
      `unknown policy \`${entry.text}\``,
      policyFix(entry.text, r.ctx),
    );
    return [];
  });
}

function policyFix(name: string, ctx: InventoryContext): string {
  const near = suggest(name, ctx.policies, 'known policies');
  if (near.startsWith('did you mean')) return near;
  return `there is no ${ctx.policiesDir}/${name}.yaml; ${near}`;
}

function checkName(entry: Field, what: string, report: FileReport): void {
  if (!isName(entry.key)) {
    report.fail(entry.keyNode, entry.path, `\`${entry.key}\` is not a ${what} name`, NAME_RULE);
  }
}

function withGroups(host: HostSpec, groups: Group[]): HostSpec {
  const mine = groups.filter((g) => g.hosts.includes(host.name));
  const policies = [...host.policies, ...mine.flatMap((g) => g.policies)];
  return {
    ...host,
    policies: [...new Set(policies)].sort(),
    groups: [...new Set(mine.map((g) => g.name))].sort(),
  };
}
