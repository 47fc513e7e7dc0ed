// The command lines of each tool, all reading or changing the same lab hosts with the same
// concurrency, and the files they need (host list, Ansible inventory and playbooks), written to a
// directory of the run's own.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabInfo } from '../test/lab/lab.js';
import { BARE_READS, CONCURRENCY } from './work.js';

export { BARE_READS, CONCURRENCY, FLEET_KEX } from './work.js';

/** The two IPv4 rules fleet makes for policies/office-only.yaml, for Ansible's DOCKER-USER. */
const ALLOW = '-s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 ' +
  '--ctdir ORIGINAL -j RETURN';
const REJECT = '-p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL ' +
  '-j REJECT --reject-with icmp-port-unreachable';

export interface Files {
  dir: string;
  hostsFile: string;
  outDir: string;
  ansibleInventory: string;
  ansibleControlDir: string;
  readsPlaybook: string;
  applyPlaybook: string;
}

export function writeFiles(lab: LabInfo, dir: string): Files {
  const files: Files = {
    dir,
    hostsFile: join(dir, 'hosts'),
    outDir: join(dir, 'out'),
    ansibleInventory: join(dir, 'inventory.ini'),
    ansibleControlDir: join(dir, 'cp'),
    readsPlaybook: join(dir, 'reads.yaml'),
    applyPlaybook: join(dir, 'apply.yaml'),
  };
  mkdirSync(files.outDir);
  mkdirSync(files.ansibleControlDir);
  mkdirSync(join(dir, 'ansible-local'));
  writeFileSync(files.hostsFile, lab.hosts.map((h) => `${h.address}\n`).join(''));
  writeFileSync(files.ansibleInventory, ansibleInventory(lab));
  writeFileSync(files.readsPlaybook, READS_PLAYBOOK);
  writeFileSync(files.applyPlaybook, APPLY_PLAYBOOK);
  return files;
}

// ---------------------------------------------------------------- fleet

/** `cli`: the built CLI (build.ts), run as its own process as a user would. */
export function fleet(cli: string, lab: LabInfo, args: string[]): string[] {
  return [
    'node', cli, ...args, '--inventory', lab.inventoryFile, '--policies', 'policies',
    '--concurrency', String(CONCURRENCY), '--json',
  ];
}

// ---------------------------------------------------------------- OpenSSH: parallel-ssh, a loop

function sshOptions(lab: LabInfo, kex: string | undefined): string[] {
  return [
    `IdentityFile=${lab.keyFile}`, 'IdentitiesOnly=yes', 'BatchMode=yes',
    `UserKnownHostsFile=${lab.knownHostsFile}`, 'StrictHostKeyChecking=yes',
    ...(kex ? [`KexAlgorithms=${kex}`] : []),
  ];
}

/** `kex` undefined: OpenSSH's default, which is sntrup761x25519-sha512 in OpenSSH 9.2. */
export function pssh(lab: LabInfo, files: Files, command: string, kex?: string): string[] {
  return [
    'parallel-ssh', '-h', files.hostsFile, '-l', 'pi', '-p', String(CONCURRENCY), '-t', '120',
    '-o', files.outDir, ...sshOptions(lab, kex).flatMap((o) => ['-O', o]), command,
  ];
}

/** What most people write first: one ssh after another. */
export function sshLoop(lab: LabInfo, files: Files, command: string): string[] {
  const options = sshOptions(lab, undefined).map((o) => `-o ${o}`).join(' ');
  const loop = `for h in $(cat "$1"); do ssh ${options} "pi@$h" "$2" >"$3/$h" || exit 1; done`;
  return ['sh', '-c', loop, 'sh', files.hostsFile, command, files.outDir];
}

// ---------------------------------------------------------------- Ansible

export function ansible(files: Files, playbook: string) {
  return {
    argv: ['ansible-playbook', '-i', files.ansibleInventory, '-f', String(CONCURRENCY), playbook],
    env: {
      ...process.env,
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      // Sends modules over the ssh connection's stdin rather than as files: Ansible's own advice
      // for speed. ControlMaster and ControlPersist stay at Ansible's defaults.
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_SSH_CONTROL_PATH_DIR: files.ansibleControlDir,
      ANSIBLE_LOCAL_TEMP: join(files.dir, 'ansible-local'),
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_NOCOLOR: '1',
    },
  };
}

/**
 * Ends the connections Ansible's ControlPersist keeps open after a run, so that every run
 * starts as cold as fleet's and no idle connection weighs on the next measurement.
 */
export function stopControlMasters(files: Files): string[] {
  const stop = '[ -S "$s" ] && ssh -o ControlPath="$s" -O exit lab 2>/dev/null';
  const loop = `for s in "$1"/*; do ${stop}; done; :`;
  return ['sh', '-c', loop, 'sh', files.ansibleControlDir];
}

function ansibleInventory(lab: LabInfo): string {
  const common = `-o UserKnownHostsFile=${lab.knownHostsFile} -o IdentitiesOnly=yes`;
  return [
    '[lab]',
    ...lab.hosts.map((h) => `${h.name} ansible_host=${h.address}`),
    '[lab:vars]',
    'ansible_user=pi',
    `ansible_ssh_private_key_file=${lab.keyFile}`,
    'ansible_python_interpreter=/usr/bin/python3',
    `ansible_ssh_common_args='${common}'`,
    '',
  ].join('\n');
}

const READS_PLAYBOOK = `- hosts: lab
  gather_facts: false
  become: true
  tasks:
    - name: the bare reads
      ansible.builtin.shell: "{% raw %}${BARE_READS}{% endraw %}"
      changed_when: false
`;

// The iptables module has no --ctorigdstport, so the rules go in with a shell check-then-insert.
const APPLY_PLAYBOOK = `- hosts: lab
  gather_facts: false
  become: true
  tasks:
    - name: office-only for nginx1, check then insert
      ansible.builtin.shell: |
        set -e
        insert() {
          iptables -C DOCKER-USER $2 2>/dev/null && return
          iptables -I DOCKER-USER $1 $2
          echo inserted
        }
        insert 1 '${ALLOW}'
        insert 2 '${REJECT}'
      register: rules
      changed_when: "'inserted' in rules.stdout"
      notify: save the rules
  handlers:
    - name: save the rules
      ansible.builtin.command: netfilter-persistent save
`;
