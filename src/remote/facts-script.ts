// The one remote command that reads every fact fleet needs from a host, as root.
import { section } from './sections.js';

/** Section names, in the order the script prints them. */
export const FACTS = {
  dockerInfo: 'docker-info',
  dockerInspect: 'docker-inspect',
  filter4: 'iptables-save',
  filter6: 'ip6tables-save',
  nat6: 'ip6tables-save-nat',
  otherBackend: 'other-backend-save',
  persistence: 'netfilter-persistent',
  savedV4: 'rules.v4',
  savedV6: 'rules.v6',
  listening: 'listening',
} as const;

// Each filter table is read once, into a variable of the script: its section prints it, and later
// sections look into it instead of running the command again. iptables-save's first line names
// its backend (nf_tables or legacy), so no `iptables -V` is needed.
const read = (name: string, command: string): string => `${name}=$(${command}); ${name}_rc=$?`;
const print = (name: string): string =>
  `[ -z "$${name}" ] || printf '%s\\n' "$${name}"; exit $${name}_rc`;

// Docker's nat rules for IPv6 exist only where its ip6tables support made a DOCKER chain.
const NAT6 = `case "$filter6" in *'
:DOCKER '*) ip6tables-save -t nat ;;
esac`;

// When the selected iptables has no DOCKER-USER, the other backend is read too, so that a host
// where Docker writes legacy tables and `iptables` means nft (or the reverse) is named as such.
const OTHER_BACKEND = `case "$filter4" in *'
:DOCKER-USER '*) ;;
*) if iptables -V 2>/dev/null | grep -q nf_tables; then iptables-legacy-save -t filter 2>/dev/null
  else iptables-nft-save -t filter 2>/dev/null; fi ;;
esac`;

// Installed, and enabled at boot under systemd or sysvinit; the boot links are listed by the shell
// itself (like ls, a dangling link counts), which saves a process on every host.
const PERSISTENCE = `command -v netfilter-persistent || true
for f in /etc/systemd/system/*.wants/netfilter-persistent.service \\
    /etc/rc[S2345].d/S*netfilter-persistent; do
  if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi
done`;

const INSPECT = `ids=$(docker ps -q) || exit $?
if [ -n "$ids" ]; then docker inspect $ids; else echo '[]'; fi`;

export function factsScript(): string {
  return [
    'PATH="$PATH:/usr/sbin:/sbin"; export LC_ALL=C',
    section(FACTS.dockerInfo, `docker info --format '{{json .}}'`),
    section(FACTS.dockerInspect, INSPECT),
    read('filter4', 'iptables-save -c -t filter'),
    section(FACTS.filter4, print('filter4')),
    read('filter6', 'ip6tables-save -c -t filter'),
    section(FACTS.filter6, print('filter6')),
    section(FACTS.nat6, NAT6),
    section(FACTS.otherBackend, OTHER_BACKEND),
    section(FACTS.persistence, PERSISTENCE),
    section(FACTS.savedV4, 'cat /etc/iptables/rules.v4 2>/dev/null'),
    section(FACTS.savedV6, 'cat /etc/iptables/rules.v6 2>/dev/null'),
    section(FACTS.listening, 'ss -Hltnu 2>/dev/null'),
  ].join('\n');
}
