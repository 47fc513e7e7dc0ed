// Three kinds of failure, told apart everywhere: the user's input is wrong (UserError), a host
// could not do what was asked (HostError), or fleet itself is wrong (anything else: a bug).
import type { Where } from './model.js';

/** Bad input in a file the user wrote. Reported before any host is contacted. */
export class UserError extends Error {
  constructor(
    readonly where: Where | undefined,
    readonly keyPath: string,
    readonly problem: string,
    readonly fix?: string,
  ) {
    super(formatUserError(where, keyPath, problem, fix));
    this.name = 'UserError';
  }
}

/** `FILE:LINE:COL: key.path: what is wrong (what to do)` */
function formatUserError(
  where: Where | undefined,
  keyPath: string,
  problem: string,
  fix?: string,
): string {
  const at = where ? `${where.file}:${where.line}:${where.col}: ` : '';
  const key = keyPath ? `${keyPath}: ` : '';
  return `${at}${key}${problem}${fix ? ` (${fix})` : ''}`;
}

/** Many input errors at once: every file is checked before anything is reported. */
export class UserErrors extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'UserErrors';
  }
}

/** A step on one host failed. `step` is a short verb phrase: "connect", "read facts", "apply". */
export class HostError extends Error {
  constructor(
    readonly host: string,
    readonly step: string,
    readonly detail: string,
    readonly fix?: string,
  ) {
    super(`${host}: ${step}: ${detail}${fix ? ` (${fix})` : ''}`);
    this.name = 'HostError';
  }
}
