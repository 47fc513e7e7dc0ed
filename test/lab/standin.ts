// Stand-in hosts: everything a docker host has except dockerd. A shell script takes the place of
// `docker` and answers exactly the calls fleet makes, with output a real lab docker host printed
// (kept in test/lab/standin/, captured by `npm run lab -- capture-standin`), and the host's
// iptables get the chain layout that real host had. A lab of 200 hosts then fits a small machine.
// Nothing about Docker's own behaviour may be tested on a stand-in.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docker, LAB_CONTAINERS } from './docker.js';
import { must } from './exec.js';
import type { LabHost } from './info.js';
import { hostDir } from './layout.js';

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'standin');
const END = 'FLEET_LAB_END';

interface Captured {
  version: string;
  info: string;
  psJson: string;
  /** Per container, the raw output of `docker inspect NAME`. */
  inspect: Map<string, string>;
  iptables: string;
}

// ---------------------------------------------------------------- capture

/** Saves what a real docker host (in its default state) prints, as the stand-ins' answers. */
export async function captureStandin(host: LabHost): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  const save = (file: string, text: string) => writeFileSync(join(DATA_DIR, file), text);
  save('docker-version.json', await docker(host, ['version', '--format', '{{json .}}']));
  save('docker-info.json', await docker(host, ['info', '--format', '{{json .}}']));
  save('docker-ps-json.txt', await docker(host, ['ps', '--format', '{{json .}}']));
  for (const { name } of LAB_CONTAINERS) {
    save(`docker-inspect-${name}.json`, await docker(host, ['inspect', name]));
  }
  const rules = await must(['ip', 'netns', 'exec', host.netns, 'iptables-save']);
  save('iptables.rules', withoutCounters(rules));
  save('captured-from.txt', `${host.name} (${host.address}), ${new Date().toISOString()}\n`);
}

/** iptables-save output as a layout: no comments, every counter zero. */
function withoutCounters(rules: string): string {
  return rules
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/ \[\d+:\d+\]$/, ' [0:0]'))
    .join('\n');
}

function loadCaptured(): Captured {
  const read = (file: string) => readFileSync(join(DATA_DIR, file), 'utf8');
  return {
    version: read('docker-version.json'),
    info: read('docker-info.json'),
    psJson: read('docker-ps-json.txt'),
    inspect: new Map(LAB_CONTAINERS.map(({ name }) => [name, read(`docker-inspect-${name}.json`)])),
    iptables: read('iptables.rules'),
  };
}

// ---------------------------------------------------------------- stand-in host

/** Writes the host's stand-in docker script and returns its path. */
export function writeStandinDocker(host: LabHost): string {
  const path = `${hostDir(host.name)}/docker`;
  writeFileSync(path, standinScript(host, loadCaptured()), { mode: 0o755 });
  return path;
}

/** Gives the host's iptables the chains and rules the real docker host had. */
export async function loadStandinRules(host: LabHost): Promise<void> {
  const netns = ['ip', 'netns', 'exec', host.netns];
  await must([...netns, 'iptables-restore'], { input: loadCaptured().iptables });
  await must([...netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
}

// ---------------------------------------------------------------- the script

interface Container {
  name: string;
  id: string;
  /** The inspect object's lines without the closing `    }`, so objects can be joined. */
  block: string;
}

export function standinScript(host: LabHost, captured: Captured): string {
  const fix = personalise(host, captured);
  const containers = LAB_CONTAINERS.map(({ name }) => container(name, captured, fix));
  const newestFirst = [...containers].reverse();
  return [
    '#!/bin/sh',
    `# docker on fleet lab host ${host.name}: a stand-in answering the calls fleet makes with the`,
    '# output of a real Docker 20.10 (test/lab/standin), for containers nginx1 and nginx2.',
    SCRIPT_HELPERS,
    ...containers.map((c) => fn(`inspect_${c.name}`, c.block)),
    inspectFunction(containers),
    fn('version_json', fix(captured.version).trimEnd()),
    fn('info_json', fix(captured.info).trimEnd()),
    fn('ps_json', fix(captured.psJson).trimEnd()),
    '[ "$(id -u)" = 0 ] || denied',
    'case "$*" in',
    `  'version --format {{json .}}') version_json ;;`,
    `  'info --format {{json .}}') info_json ;;`,
    `  'ps --format {{json .}}') ps_json ;;`,
    `  'ps -q') printf '%s\\n' ${newestFirst.map((c) => c.id.slice(0, 12)).join(' ')} ;;`,
    '  inspect\\ *) shift; inspect "$@" ;;',
    '  *) unsupported "$@" ;;',
    'esac',
    '',
  ].join('\n');
}

/** Replaces what names the captured host (container ids, paths, hostname) with this host's. */
function personalise(host: LabHost, captured: Captured): (text: string) => string {
  const pairs: [string, string][] = [];
  for (const [name, raw] of captured.inspect) {
    const real = (JSON.parse(raw) as { Id: string }[])[0]?.Id ?? '';
    const mine = createHash('sha256').update(`${host.name}/${name}`).digest('hex');
    pairs.push([real, mine], [real.slice(0, 12), mine.slice(0, 12)]);
  }
  const from = capturedHostName(captured);
  pairs.push([`/hosts/${from}/`, `/hosts/${host.name}/`]);
  pairs.push([`"Name":"${from}"`, `"Name":"${host.name}"`]);
  return (text) => pairs.reduce((t, [a, b]) => t.replaceAll(a, b), text);
}

function capturedHostName(captured: Captured): string {
  return (JSON.parse(captured.info) as { Name: string }).Name;
}

function container(name: string, captured: Captured, fix: (t: string) => string): Container {
  const lines = fix(captured.inspect.get(name) ?? '').trimEnd().split('\n');
  if (lines[0] !== '[' || lines.at(-1) !== ']' || lines.at(-2) !== '    }') {
    throw new Error(`standin/docker-inspect-${name}.json is not one object as docker prints it`);
  }
  const id = (JSON.parse(lines.join('\n')) as { Id: string }[])[0]?.Id ?? '';
  return { name, id, block: lines.slice(1, -2).join('\n') };
}

function fn(name: string, output: string): string {
  return `${name}() {\ncat <<'${END}'\n${output}\n${END}\n}`;
}

// Objects are printed as docker prints an array of them: "[", the objects joined by "    },",
// then the last object's "    }" and "]". Unknown names go to stderr and make the exit code 1,
// as with the real docker.
function inspectFunction(containers: Container[]): string {
  const tests = containers.map((c, k) => {
    const test = `${k === 0 ? 'if' : 'elif'} matches "$ref" ${c.id} ${c.name}`;
    return `    ${test}; then found="$found ${c.name}"`;
  });
  return `inspect() {
  [ $# -gt 0 ] || unsupported inspect
  found='' missing=0
  for ref in "$@"; do
${tests.join('\n')}
    else echo "Error: No such object: $ref" >&2; missing=1
    fi
  done
  if [ -z "$found" ]; then echo '[]'; exit 1; fi
  sep='['
  for name in $found; do printf '%s\\n' "$sep"; "inspect_$name"; sep='    },'; done
  printf '    }\\n]\\n'
  exit $missing
}`;
}

// Like the real one, only root (the login user is not in group docker) may talk to Docker.
const SCRIPT_HELPERS = `denied() {
  echo 'Got permission denied while trying to connect to the Docker daemon socket at' \\
    'unix:///var/run/docker.sock: connect: permission denied' >&2
  exit 1
}
unsupported() {
  echo "docker (fleet lab stand-in): not supported: docker $*" >&2
  exit 125
}
# matches REF ID NAME: REF is a prefix of ID, or the name with or without its slash.
matches() {
  [ -n "$1" ] || return 1
  case "$2" in "$1"*) return 0 ;; esac
  [ "$1" = "$3" ] || [ "$1" = "/$3" ]
}`;
