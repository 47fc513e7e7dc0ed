// One policy file to a Policy: named address sets, and rules that say who may reach a published
// port. Every problem in the file is reported, each at its line and column.
import { basename } from 'node:path';
import { isScalar, type Node, type YAMLMap } from 'yaml';
import type { UserError } from '../errors.js';
import type { Policy, PolicyRule, Protocol, Source, Target } from '../model.js';
import { isName, NAME_RULE } from '../config/names.js';
import type { FileReport, Parsed } from '../config/report.js';
import { closest } from '../config/suggest.js';
import {
  asMap, asPort, asSeq, asText, fields, item, readYaml, required, textItems, type Field,
} from '../config/yaml.js';
import { looksLikeAddress, parseSource, sortSources } from './source.js';

const TOP_KEYS = ['sources', 'rules'];
const RULE_KEYS = ['container', 'port', 'hostPort', 'allow'];
const ALLOW_FIX =
  'list who may connect: addresses, networks or source names; `allow: []` lets nobody in';

/** The policy in `text`, named after its file (`policies/office-only.yaml` → `office-only`). */
export function parsePolicy(text: string, file: string): { policy: Policy; errors: UserError[] } {
  const name = basename(file).replace(/\.yaml$/, '');
  const { root, report } = readYaml(text, file);
  const policy: Policy = { name, file, rules: [] };
  if (!isName(name)) {
    report.fail(undefined, '', `\`${name}\` is not a policy name`, `rename the file: ${NAME_RULE}`);
  }
  if (root === null && report.errors.length === 0) {
    report.fail(undefined, '', 'the policy is empty', 'add `rules:`, a list of who may reach what');
  }
  const top = root === null ? undefined : asMap(root, '', report);
  if (top) policy.rules = readPolicy(top, name, report);
  return { policy, errors: report.errors };
}

function readPolicy(top: YAMLMap, name: string, report: FileReport): PolicyRule[] {
  const found = fields(top, '', report, TOP_KEYS);
  const sourcesField = found.get('sources');
  const sources = sourcesField ? readSources(sourcesField, report) : new Map<string, Source[]>();
  const rules = required(
    found,
    'rules',
    { node: top, path: '' },
    report,
    'add `rules:`, a list of who may reach what',
  );
  return rules ? readRules(rules, { policy: name, sources, report }) : [];
}

// ---------------------------------------------------------------- sources

function readSources(field: Field, report: FileReport): Map<string, Source[]> {
  const map = asMap(field.value, field.path, report, field.keyNode);
  const sets = new Map<string, Source[]>();
  for (const set of map ? fields(map, field.path, report).values() : []) {
    if (!isSourceName(set.key)) {
      report.fail(
        set.keyNode,
        set.path,
        `\`${set.key}\` is not a source name`,
        'use a name that starts with a letter and is not an address, like `office`',
      );
    }
    sets.set(set.key, addressItems(set, report));
  }
  return sets;
}

function isSourceName(name: string): boolean {
  return isName(name) && /^[a-zA-Z]/.test(name) && !looksLikeAddress(name);
}

function addressItems(set: Field, report: FileReport): Source[] {
  return textItems(set.value, set.path, report).flatMap((entry) => address(entry, report));
}

/** The entry as an address or network, or nothing, with its problem reported. */
function address(entry: { text: string; node: Node; path: string }, report: FileReport): Source[] {
  const parsed = parseSource(entry.text);
  if (parsed.ok) return [parsed.value];
  report.fail(entry.node, entry.path, parsed.problem, parsed.fix);
  return [];
}

// ---------------------------------------------------------------- rules

interface RuleContext {
  policy: string;
  sources: Map<string, Source[]>;
  report: FileReport;
}

function readRules(field: Field, ctx: RuleContext): PolicyRule[] {
  const seq = asSeq(field.value, field.path, ctx.report);
  return (seq?.items ?? []).flatMap((node, index) => {
    const rule = readRule(node as Node, item(field.path, index), ctx);
    return rule ? [rule] : [];
  });
}

function readRule(node: Node, path: string, ctx: RuleContext): PolicyRule | undefined {
  const map = asMap(node, path, ctx.report);
  if (!map) return undefined;
  const found = fields(map, path, ctx.report, RULE_KEYS);
  const target = readTarget(found, { node: map, path }, ctx.report);
  const allow = required(found, 'allow', { node: map, path }, ctx.report, ALLOW_FIX);
  const sources = allow ? readAllow(allow, ctx) : undefined;
  if (!target || !sources) return undefined;
  return { policy: ctx.policy, target, allow: sources, where: ctx.report.where(map) };
}

function readTarget(
  found: Map<string, Field>,
  at: { node: Node; path: string },
  report: FileReport,
): Target | undefined {
  const container = found.get('container');
  const hostPort = found.get('hostPort');
  const port = found.get('port');
  if (container && hostPort) {
    const problem = 'a rule names `container` or `hostPort`, not both';
    report.fail(hostPort.keyNode, hostPort.path, problem, 'split it into two rules');
    return undefined;
  }
  if (hostPort) return port ? portWithHostPort(port, report) : hostPortTarget(hostPort, report);
  if (container) return containerTarget(container, port, report);
  const fix = 'add `container:` with the container\'s name, or `hostPort:` with the published port';
  report.fail(at.node, at.path, 'missing `container` or `hostPort`', fix);
  return undefined;
}

function portWithHostPort(port: Field, report: FileReport): undefined {
  report.fail(
    port.keyNode,
    port.path,
    '`port` goes with `container`, not with `hostPort`',
    'give the protocol in hostPort instead, like `hostPort: 9000/udp`',
  );
  return undefined;
}

function hostPortTarget(field: Field, report: FileReport): Target | undefined {
  const spec = readPortSpec(field, report);
  return spec && { kind: 'hostPort', hostPort: spec.port, protocol: spec.protocol };
}

function containerTarget(
  field: Field,
  port: Field | undefined,
  report: FileReport,
): Target | undefined {
  const name = asText(field.value, field.path, report);
  const spec = port ? readPortSpec(port, report) : undefined;
  if (name !== undefined && !isName(name)) {
    const fix = name.startsWith('/') ? `write \`${name.slice(1)}\`` : NAME_RULE;
    report.fail(field.value, field.path, `\`${name}\` is not a Docker container name`, fix);
    return undefined;
  }
  if (name === undefined || (port && !spec)) return undefined;
  return spec
    ? { kind: 'container', container: name, port: spec.port, protocol: spec.protocol }
    : { kind: 'container', container: name, protocol: 'tcp' };
}

/** `80`, `80/tcp` or `53/udp`; a bare number is tcp. */
function readPortSpec(field: Field, report: FileReport): PortSpec | undefined {
  const value = isScalar(field.value) ? field.value.value : undefined;
  if (typeof value === 'number') {
    const port = asPort(field.value, field.path, report);
    return port === undefined ? undefined : { port, protocol: 'tcp' };
  }
  const parsed = parsePortSpec(typeof value === 'string' ? value : String(value));
  if (parsed.ok) return parsed.value;
  report.fail(field.value, field.path, parsed.problem, parsed.fix);
  return undefined;
}

interface PortSpec {
  port: number;
  protocol: Protocol;
}

function parsePortSpec(text: string): Parsed<PortSpec> {
  const parts = /^(\d+)(?:\/([a-zA-Z]+))?$/.exec(text);
  const port = Number(parts?.[1]);
  const protocol = parts?.[2]?.toLowerCase() ?? 'tcp';
  if (parts && protocol !== 'tcp' && protocol !== 'udp') {
    const problem = `\`${text}\`: fleet handles tcp and udp only`;
    return { ok: false, problem, fix: `write ${port}/tcp or ${port}/udp` };
  }
  if (!parts || port < 1 || port > 65535) {
    const fix = 'write a number from 1 to 65535, then /udp for udp: 80, 80/tcp, 53/udp';
    return { ok: false, problem: `\`${text}\` is not a port`, fix };
  }
  return { ok: true, value: { port, protocol: protocol as Protocol } };
}

// ---------------------------------------------------------------- allow

function readAllow(field: Field, ctx: RuleContext): Source[] | undefined {
  if (!asSeq(field.value, field.path, ctx.report)) return undefined;
  const entries = textItems(field.value, field.path, ctx.report);
  const sources = entries.flatMap((entry) => allowEntry(entry, ctx));
  return sortSources(sources);
}

function allowEntry(entry: { text: string; node: Node; path: string }, ctx: RuleContext): Source[] {
  if (looksLikeAddress(entry.text)) return address(entry, ctx.report);
  const set = ctx.sources.get(entry.text);
  if (set) return set;
  ctx.report.fail(
    entry.node,
    entry.path,
    `unknown source \`${entry.text}\``,
    unknownSourceFix(entry.text, ctx),
  );
  return [];
}

function unknownSourceFix(name: string, ctx: RuleContext): string {
  const near = closest(name, [...ctx.sources.keys()]);
  if (near) return `did you mean \`${near}\`?`;
  return 'name a set defined under `sources:` in this file, or write an address or network';
}
