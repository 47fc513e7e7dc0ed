// What the lab needs from this machine. Missing any of it is a failure, never a reason to skip:
// a lab test that silently does not run proves nothing.
import { accessSync, constants } from 'node:fs';
import { delimiter } from 'node:path';
import { DOCKER_BIN } from './layout.js';

const TOOLS = [
  'ip', 'nsenter', 'unshare', 'mount', 'umount', 'sysctl', 'bash', 'tar', 'cut',
  'ssh', 'ssh-keygen', 'sudo', 'useradd', 'usermod', 'userdel', 'getent',
  'iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'nft', 'conntrack',
  'netfilter-persistent',
];
const FILES = ['/usr/sbin/sshd', '/bin/busybox'];
const DOCKER_FILES = ['/usr/sbin/dockerd', DOCKER_BIN, '/usr/bin/containerd', '/usr/bin/runc'];
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function checkPrerequisites({ docker }: { docker: boolean }): void {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('not root (the lab makes namespaces and users)');
  const missing = [
    ...TOOLS.filter((tool) => !onPath(tool)),
    ...[...FILES, ...(docker ? DOCKER_FILES : [])].filter((file) => !executable(file)),
  ];
  if (missing.length > 0) {
    problems.push(`missing: ${missing.join(', ')} (scripts/setup installs them)`);
  }
  if (problems.length > 0) throw new Error(`the lab cannot run here:\n  ${problems.join('\n  ')}`);
}

function onPath(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SBIN];
  return dirs.some((dir) => dir !== '' && executable(`${dir}/${tool}`));
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
