// What goes under the table: how it was measured, and the machine and tool versions it ran on.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { ROOT } from './build.js';
import { CONCURRENCY, FLEET_KEX } from './tools.js';

export function notes(sizes: number[], dockerHosts: number, runs: number): string {
  return [
    `- ${sizes.join(' and ')} lab hosts (${dockerHosts} with dockerd, the rest stand-ins); ` +
      `${runs} rounds, each on a fresh lab running every step once; median wall time. Every ` +
      `tool works on ${CONCURRENCY} hosts at once (fleet --concurrency, parallel-ssh -p, ` +
      'Ansible forks).',
    '- fleet\'s transport: bench/bare-reads.ts, fleet\'s ssh2 transport doing the bare reads of ' +
      'parallel-ssh (the same command, through sudo), compiled like the CLI, as its own process.',
    '- Ratio: median over fleet\'s median for the same step and N; the reads of the other tools ' +
      `are compared with fleet diff. fleet negotiates ${FLEET_KEX}.`,
    '- Controller CPU: user + system time of the controller and every process it waited for ' +
      '(GNU time). Machine CPU: busy time of the whole machine meanwhile (/proc/stat), the lab ' +
      'hosts\' sshd, sudo and commands included, since they run on the same cores.',
    '- Peak RSS, largest process: GNU time %M, the largest single process of the tree (not a ' +
      'sum). Process tree: RSS summed over the tree, sampled every 200 ms; shared pages count ' +
      'once per process.',
    '- fleet: the built CLI (tsc -p tsconfig.build.json) as its own process, with --json. ' +
      'Every round starts on a fresh lab, so every first apply changes every host; fleet clear ' +
      '--yes (untimed) runs between fleet\'s steps and Ansible\'s. On the docker hosts fleet ' +
      'also closes the IPv6 path to nginx1 (docker-proxy, ip6tables INPUT); Ansible does not.',
    '- Ansible: the iptables module cannot express --ctorigdstport, so its playbook inserts the ' +
      'two rules with ansible.builtin.shell (command cannot run `||`): iptables -C ... || ' +
      'iptables -I ..., then a handler runs netfilter-persistent save when something was ' +
      'inserted. The port mapping is written into the playbook, so it reads nothing from Docker. ' +
      'Pipelining on, OpenSSH\'s default key exchange, ControlPersist at its default; after each ' +
      'run its control masters are stopped (untimed), so every run starts without connections.',
  ].join('\n');
}

export function machine(): string {
  const debian = readFileSync('/etc/debian_version', 'utf8').trim();
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  const commit = execFileSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], {
    encoding: 'utf8',
  }).trim();
  return [
    `- Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${gib} GiB, Debian ` +
      `${debian}, kernel ${firstLine(['uname', '-r'])}, node ${process.version}; fleet ${commit}.`,
    `- ${firstLine(['ssh', '-V'])}; parallel-ssh ${firstLine(['parallel-ssh', '--version'])}; ` +
      `${firstLine(['ansible', '--version'])}.`,
  ].join('\n');
}

function firstLine(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] || '?';
}
