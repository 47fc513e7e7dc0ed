// A YAML file read into nodes that remember their position, and typed reads of those nodes that
// report what is wrong, where, instead of throwing.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Node,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { FileReport } from './report.js';
import { suggest } from './suggest.js';

export interface YamlFile {
  /** The document's top node, or null when the file is empty or could not be read as YAML. */
  root: Node | null;
  report: FileReport;
}

export function readYaml(text: string, file: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const report = new FileReport(file, lines);
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const { text: what, fix } = syntaxProblem(problem.code, problem.message);
    report.failAt(report.whereAt(problem.pos[0]), '', what, fix);
  }
  if (report.errors.length === 0) reportAliases(doc, report);
  const root = report.errors.length === 0 ? (doc.contents as Node | null) : null;
  return { root: root && !isNull(root) ? root : null, report };
}

function syntaxProblem(code: string, message: string): { text: string; fix: string } {
  if (code === 'MULTIPLE_DOCS') {
    return { text: 'more than one YAML document', fix: 'keep one: remove the extra `---`' };
  }
  if (code === 'TAB_AS_INDENT') {
    return { text: 'a tab used as indentation', fix: 'indent with spaces' };
  }
  const first = message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
  return { text: `YAML syntax: ${first}`, fix: 'check the indentation, quotes and brackets here' };
}

function reportAliases(doc: ReturnType<typeof parseDocument>, report: FileReport): void {
  visit(doc, {
    Alias(_, node) {
      const problem = `YAML alias \`*${node.source}\` is not supported`;
      report.fail(node, '', problem, 'write the value out');
    },
  });
}

// ---------------------------------------------------------------- typed reads

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function item(path: string, index: number): string {
  return `${path}[${index}]`;
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** What a node is, for "should be X, not Y". */
function kindOf(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  if (isNull(node)) return 'empty';
  if (isScalar(node)) return scalarKind(node);
  return 'something else';
}

function scalarKind(node: Scalar): string {
  const value = node.value;
  if (typeof value === 'string') return `\`${value}\``;
  return `${typeof value === 'boolean' ? 'true/false' : typeof value} \`${String(value)}\``;
}

export function asMap(
  node: Node | null,
  path: string,
  report: FileReport,
  at?: Node,
): YAMLMap | undefined {
  if (isMap(node)) return node;
  const problem = `should be a mapping, not ${kindOf(node)}`;
  report.fail(
    isNull(node) ? at ?? node : node,
    path,
    problem,
    'write `key: value` lines below it, indented',
  );
  return undefined;
}

export function asSeq(node: Node | null, path: string, report: FileReport): YAMLSeq | undefined {
  if (isSeq(node)) return node;
  const problem = `should be a list, not ${kindOf(node)}`;
  report.fail(node, path, problem, 'write [a, b] or one `- item` per line');
  return undefined;
}

export function asText(node: Node | null, path: string, report: FileReport): string | undefined {
  if (isScalar(node) && typeof node.value === 'string' && node.value !== '') return node.value;
  const problem = `should be text, not ${kindOf(node)}`;
  report.fail(node, path, problem, 'write it as text, in quotes if need be');
  return undefined;
}

export function asBool(node: Node | null, path: string, report: FileReport): boolean | undefined {
  if (isScalar(node) && typeof node.value === 'boolean') return node.value;
  report.fail(node, path, `should be true or false, not ${kindOf(node)}`, 'write true or false');
  return undefined;
}

/** A port number from 1 to 65535. */
export function asPort(node: Node | null, path: string, report: FileReport): number | undefined {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) {
    return value;
  }
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    const problem = `\`"${value}"\` is text, not a number`;
    report.fail(node, path, problem, `write it without quotes: ${value}`);
  } else {
    const what = typeof value === 'number' ? `\`${value}\`` : kindOf(node);
    report.fail(node, path, `${what} is not a port`, 'use a whole number from 1 to 65535');
  }
  return undefined;
}

/** The items of a list of text, each with its node and key path; wrong items are reported. */
export function textItems(
  node: Node | null,
  path: string,
  report: FileReport,
): { text: string; node: Node; path: string }[] {
  const seq = asSeq(node, path, report);
  return (seq?.items ?? []).flatMap((entry, index) => {
    const text = asText(entry as Node, item(path, index), report);
    return text === undefined ? [] : [{ text, node: entry as Node, path: item(path, index) }];
  });
}

// ---------------------------------------------------------------- mappings

export interface Field {
  key: string;
  keyNode: Node;
  value: Node | null;
  path: string;
}

/**
 * The entries of a mapping in file order, each key once. Reports keys that are not text, keys
 * given twice, and (when `known` is given) unknown keys, with the closest known key.
 */
export function fields(
  map: YAMLMap,
  path: string,
  report: FileReport,
  known?: readonly string[],
): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const pair of map.items) {
    const field = readField(pair.key as Node, pair.value as Node | null, path, report);
    if (!field) continue;
    const first = out.get(field.key);
    if (first) reportTwice(field, first, report);
    else if (known && !known.includes(field.key)) reportUnknown(field, known, report);
    else out.set(field.key, field);
  }
  return out;
}

function readField(
  key: Node,
  value: Node | null,
  path: string,
  report: FileReport,
): Field | undefined {
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) {
    const name = String(key.value);
    return { key: name, keyNode: key, value, path: child(path, name) };
  }
  report.fail(key, path, `a key should be a name, not ${kindOf(key)}`, 'write `name: value`');
  return undefined;
}

function reportTwice(field: Field, first: Field, report: FileReport): void {
  const line = report.where(first.keyNode).line;
  const fix = `the first is on line ${line}; keep one`;
  report.fail(field.keyNode, field.path, `\`${field.key}\` is given twice`, fix);
}

function reportUnknown(field: Field, known: readonly string[], report: FileReport): void {
  const fix = suggest(field.key, known, 'known keys');
  report.fail(field.keyNode, field.path, `unknown key \`${field.key}\``, fix);
}

/** The field's value node, or a report that it is missing. */
export function required(
  found: Map<string, Field>,
  key: string,
  at: { node: Node | null | undefined; path: string },
  report: FileReport,
  fix: string,
): Field | undefined {
  const field = found.get(key);
  if (!field) report.fail(at.node, child(at.path, key), `missing \`${key}\``, fix);
  return field;
}
