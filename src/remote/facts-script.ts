// The one remote command that reads every fact fleet needs from a host, as root. Every process it
// starts is paid for on every host of every run, so each one here is either needed or only run
// when an earlier fact says it is.
import { MARK, section, SECTION_HELPERS } from './sections.js';

/** Section names, in the order the script prints them. */
export const FACTS = {
  filter4: 'iptables-save',
  filter6: 'ip6tables-save',
  nat6: 'ip6tables-save-nat',
  otherBackend: 'other-backend-save',
  dockerInspect: 'docker-inspect',
  dockerInfo: 'docker-info',
  persistence: 'netfilter-persistent',
  savedV4: 'rules.v4',
  savedV6: 'rules.v6',
  listeningTcp: 'listening-tcp',
  listeningUdp: 'listening-udp',
} as const;

// Each filter table is read once, into a variable of the script: its section prints it, and later
// sections look into it instead of running the command again. iptables-save's first line names
// its backend (nf_tables or legacy), so no `iptables -V` is needed.
const read = (name: string, command: string): string => `${name}=$(${command}); ${name}_rc=$?`;
const print = (name: string): string => `[ -z "$${name}" ] || printf '%s\\n' "$${name}"; rc $${name}_rc`;

// Docker's nat rules for IPv6 exist only where its ip6tables support made a DOCKER chain.
const NAT6 = `case "$filter6" in *'
:DOCKER '*) ip6tables-save -t nat ;;
esac`;

// Where the IPv4 table has DOCKER-USER, Docker writes it with this iptables; where it has none,
// the other backend is read, so that a host where Docker writes legacy tables and `iptables`
// means nft (or the reverse) is named as such, and Docker is asked which firewall it uses
// (Docker 29 may use nftables, with no DOCKER-USER at all).
const WITHOUT_DOCKER_USER = (command: string): string => `case "$filter4" in *'
:DOCKER-USER '*) ;;
*) ${command} ;;
esac`;
const OTHER_BACKEND = WITHOUT_DOCKER_USER(`if iptables -V 2>/dev/null | grep -q nf_tables; then iptables-legacy-save -t filter 2>/dev/null
  else iptables-nft-save -t filter 2>/dev/null; fi`);
const DOCKER_INFO = WITHOUT_DOCKER_USER(`docker info --format '{{json .}}'`);

// The running containers, inspected; kept in a variable too, for the UDP listeners below.
const INSPECT = `inspect='[]' inspect_rc=0
if ids=$(docker ps -q); then
  [ -z "$ids" ] || { inspect=$(docker inspect $ids); inspect_rc=$?; }
else inspect_rc=$? inspect=''; fi`;

// Installed, and enabled at boot under systemd or sysvinit; the boot links are listed by the shell
// itself (like ls, a dangling link counts), which saves a process on every host.
const PERSISTENCE = `command -v netfilter-persistent || true
for f in /etc/systemd/system/*.wants/netfilter-persistent.service \\
    /etc/rc[S2345].d/S*netfilter-persistent; do
  if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi
done`;

// Both saved files in one cat: between them cat reads its stdin, a here-document holding the end
// of the first section and the start of the second, so the two come out exactly as two sections
// would. Whether each file exists is the shell's test, as cat's one status cannot say which failed.
const SAVED_FILES = `v4_rc=1 v6_rc=1
[ ! -f /etc/iptables/rules.v4 ] || v4_rc=0
[ ! -f /etc/iptables/rules.v6 ] || v6_rc=0
echo '${MARK} ${FACTS.savedV4}'
cat /etc/iptables/rules.v4 - /etc/iptables/rules.v6 2>/dev/null <<EOF

${MARK}-rc ${FACTS.savedV4} $v4_rc
${MARK} ${FACTS.savedV6}
EOF
printf '\\n${MARK}-rc ${FACTS.savedV6} %s\\n' "$v6_rc"`;

// Sockets listening, for which way IPv6 reaches each binding. One state per protocol keeps the
// kernel to its listening sockets (asking for TCP's and UDP's at once also walks every
// connection); UDP is asked only when Docker published a UDP port.
const LISTENING_TCP = 'ss -Hn -t state listening 2>/dev/null';
const LISTENING_UDP = `case "$inspect" in *'/udp"'*) ss -Hn -u state unconnected 2>/dev/null ;; esac`;

export function factsScript(): string {
  return [
    'PATH="$PATH:/usr/sbin:/sbin"; export LC_ALL=C',
    SECTION_HELPERS,
    read('filter4', 'iptables-save -c -t filter'),
    section(FACTS.filter4, print('filter4')),
    read('filter6', 'ip6tables-save -c -t filter'),
    section(FACTS.filter6, print('filter6')),
    section(FACTS.nat6, NAT6),
    section(FACTS.otherBackend, OTHER_BACKEND),
    INSPECT,
    section(FACTS.dockerInspect, print('inspect')),
    section(FACTS.dockerInfo, DOCKER_INFO),
    section(FACTS.persistence, PERSISTENCE),
    SAVED_FILES,
    section(FACTS.listeningTcp, LISTENING_TCP),
    section(FACTS.listeningUdp, LISTENING_UDP),
  ].join('\n');
}
