// Every problem found in one file, each with the line and column of the node it is about.
import type { LineCounter, Node } from 'yaml';
import { UserError } from '../errors.js';
import type { Where } from '../model.js';

/** A value read from text, or what is wrong with the text and what to do about it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string; fix: string };

export class FileReport {
  readonly errors: UserError[] = [];

  constructor(
    readonly file: string,
    private readonly lines?: LineCounter,
  ) {}

  whereAt(offset: number): Where {
    const pos = this.lines?.linePos(offset) ?? { line: 1, col: 1 };
    return { file: this.file, line: pos.line, col: pos.col };
  }

  where(node: Node | null | undefined): Where {
    return this.whereAt(node?.range?.[0] ?? 0);
  }

  fail(node: Node | null | undefined, keyPath: string, problem: string, fix?: string): void {
    this.failAt(this.where(node), keyPath, problem, fix);
  }

  failAt(where: Where, keyPath: string, problem: string, fix?: string): void {
    this.errors.push(new UserError(where, keyPath, problem, fix));
  }
}

/** Errors in reading order: by file as given, then line, then column. */
export function sortErrors(errors: UserError[]): UserError[] {
  const files = [...new Set(errors.map((e) => e.where?.file ?? ''))];
  const rank = (e: UserError): number[] => [
    files.indexOf(e.where?.file ?? ''),
    e.where?.line ?? 0,
    e.where?.col ?? 0,
  ];
  return errors
    .map((error, index) => ({ error, key: [...rank(error), index] }))
    .sort((a, b) => compareNumbers(a.key, b.key))
    .map((x) => x.error);
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
