// The script `fleet apply` and `fleet clear` run on a host, as one remote command, as root.
//
// Steps, under a lock so two runs never overlap on one host:
//   1. check that fleet's part of each family is still what the plan was computed from;
//   2. iptables-restore --noflush each family's change (atomic per family);
//   3. read back and compare fleet's part with what the plan wants;
//   4. netfilter-persistent save, and compare the saved files with the same;
// and on a failure at any step, put back the rules and saved files the host had before.
import { DECLARE_CHAINS, FLEET_PART_AWK, JUMP_PATTERN } from './fleet-part.js';
import { quote } from './shell.js';
import type { Family } from '../model.js';

const LOCK_FILE = '/run/fleet.lock';

export interface FamilyChange {
  family: Family;
  /** `iptables-restore --noflush` input that makes the change. */
  restore: string;
  /** putBackBody() of the state before: what a failure puts back. */
  putBack: string;
  /** fleet's part before and after, as fleetPart() prints it. */
  before: string;
  after: string;
}

/** Exit codes of the script, one per step that can fail. */
export const EXIT = {
  lock: 20,
  stale: 21,
  restore: 22,
  verify: 23,
  persist: 24,
  rollback: 25,
} as const;

/** Lines printed on stdout as each step completes, for the report. */
export const STEP_MARK = '@@fleet-step';


const TOOLS: Record<Family, { save: string; restore: string; file: string }> = {
  4: { save: 'iptables-save', restore: 'iptables-restore', file: '/etc/iptables/rules.v4' },
  6: { save: 'ip6tables-save', restore: 'ip6tables-restore', file: '/etc/iptables/rules.v6' },
};

const SAVED_FILES = [TOOLS[4].file, TOOLS[6].file];

export function applyScript(changes: FamilyChange[], persist: boolean): string {
  return [
    prelude(),
    savedFileFunctions(),
    rollbackFunction(changes),
    ...changes.map(checkBefore),
    ...changes.map(restoreStep),
    `echo '${STEP_MARK} applied'`,
    ...changes.map(verifyStep),
    `echo '${STEP_MARK} verified'`,
    persist ? persistSteps(changes) : '',
    'exit 0',
  ].join('\n');
}

function prelude(): string {
  return [
    'PATH="$PATH:/usr/sbin:/sbin"; export LC_ALL=C',
    `fleet_part() { awk ${quote(FLEET_PART_AWK)} "$@"; }`,
    `exec 9>${LOCK_FILE} && flock -w 30 9 || {`,
    `  echo "another fleet run holds ${LOCK_FILE} on this host; try again when it ends" >&2`,
    `  exit ${EXIT.lock}; }`,
    'applied=""; saved=""',
  ].join('\n');
}

/** fail CODE MESSAGE: undo whatever was done so far, then exit with CODE. */
function rollbackFunction(changes: FamilyChange[]): string {
  const undoLive = changes.map(({ family, putBack }) =>
    [
      `  case " $applied " in *" ${family} "*)`,
      `    put_back ${TOOLS[family].save} ${TOOLS[family].restore} ${quote(putBack)} || undo_failed=1;;`,
      '  esac',
    ].join('\n'),
  );
  return [
    "# put_back SAVE RESTORE BODY: drop every live jump to fleet's chains, flush them, replay BODY.",
    'put_back() {',
    `  { echo '*filter'; printf '${DECLARE_CHAINS}\\n'`,
    `    "$1" -t filter | awk '/^-A [^ ]+ ${JUMP_PATTERN}/ { sub(/^-A/, "-D"); print }'`,
    `    printf '%s' "$3"; echo COMMIT; } | "$2" --noflush`,
    '}',
    'fail() {',
    '  echo "$2" >&2; undo_failed=0',
    ...undoLive,
    '  if [ -n "$saved" ]; then restore_saved || undo_failed=1; else drop_backups; fi',
    `  if [ "$undo_failed" = 1 ]; then echo "rolling back failed too: check this host by hand" >&2; exit ${EXIT.rollback}; fi`,
    '  exit "$1"',
    '}',
  ].join('\n');
}

function checkBefore({ family, before }: FamilyChange): string {
  const live = `"$(${TOOLS[family].save} -t filter | fleet_part)"`;
  return `[ ${live} = ${quote(before)} ] || fail ${EXIT.stale} "fleet's IPv${family} rules changed since they were read; run fleet diff again"`;
}

function restoreStep({ family, restore }: FamilyChange): string {
  const tool = TOOLS[family].restore;
  return [
    `printf '%s' ${quote(restore)} | ${tool} --noflush ||`,
    `  fail ${EXIT.restore} "${tool} rejected the change; nothing was changed"`,
    `applied="$applied ${family}"`,
  ].join('\n');
}

function verifyStep({ family, after }: FamilyChange): string {
  const live = `"$(${TOOLS[family].save} -t filter | fleet_part)"`;
  return `[ ${live} = ${quote(after)} ] || fail ${EXIT.verify} "the live IPv${family} rules differ from the plan after the change; rolled back"`;
}

/**
 * netfilter-persistent saves both families at once, so both saved files are backed up first
 * and put back if the save fails or a saved file does not hold the planned rules.
 */
function persistSteps(changes: FamilyChange[]): string {
  const check = changes.map(
    ({ family, after }) =>
      `[ "$(fleet_part ${TOOLS[family].file})" = ${quote(after)} ] || fail ${EXIT.persist} "${TOOLS[family].file} does not hold the planned rules after netfilter-persistent save; rolled back"`,
  );
  return [
    'command -v netfilter-persistent >/dev/null ||',
    `  fail ${EXIT.persist} "netfilter-persistent is not installed (sudo apt-get install iptables-persistent)"`,
    '[ -d /etc/iptables ] || mkdir -p /etc/iptables',
    ...SAVED_FILES.map(
      (f) =>
        `{ if [ -e ${f} ]; then cp -p ${f} ${f}.fleet-undo; else : > ${f}.fleet-none; fi; } ||\n` +
        `  fail ${EXIT.persist} "cannot back up ${f} before saving; nothing was saved, rolled back"`,
    ),
    'saved=1',
    `netfilter-persistent save >&2 || fail ${EXIT.persist} "netfilter-persistent save failed; rolled back"`,
    ...check,
    'drop_backups',
    `echo '${STEP_MARK} persisted'`,
  ].join('\n');
}

/** Put the saved files back as they were before netfilter-persistent save, or drop the copies. */
function savedFileFunctions(): string {
  return [
    'restore_saved() {',
    ...SAVED_FILES.map(
      (f) => `  if [ -e ${f}.fleet-none ]; then rm -f ${f} ${f}.fleet-none; else mv -f ${f}.fleet-undo ${f}; fi`,
    ),
    '}',
    'drop_backups() {',
    `  rm -f ${SAVED_FILES.flatMap((f) => [`${f}.fleet-undo`, `${f}.fleet-none`]).join(' ')}`,
    '}',
  ].join('\n');
}
