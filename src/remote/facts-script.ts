// The one remote command that reads every fact fleet needs from a host, as root.
import { section } from './sections.js';

/** Section names, in the order the script prints them. */
export const FACTS = {
  dockerInfo: 'docker-info',
  dockerInspect: 'docker-inspect',
  iptablesVersion: 'iptables-version',
  filter4: 'iptables-save',
  filter6: 'ip6tables-save',
  nat6: 'ip6tables-save-nat',
  otherBackend: 'other-backend-save',
  persistence: 'netfilter-persistent',
  savedV4: 'rules.v4',
  savedV6: 'rules.v6',
  listening: 'listening',
} as const;

// When the selected iptables has no DOCKER-USER, the other backend is read too, so that a host
// where Docker writes legacy tables and `iptables` means nft (or the reverse) is named as such.
const OTHER_BACKEND = `if iptables-save -t filter 2>/dev/null | grep -q '^:DOCKER-USER '; then :
elif iptables -V 2>/dev/null | grep -q nf_tables; then iptables-legacy-save -t filter 2>/dev/null
else iptables-nft-save -t filter 2>/dev/null; fi`;

// Installed, and enabled at boot under systemd or sysvinit.
const PERSISTENCE = `command -v netfilter-persistent || true
ls /etc/systemd/system/*.wants/netfilter-persistent.service /etc/rc[S2345].d/S*netfilter-persistent 2>/dev/null || true`;

const INSPECT = `ids=$(docker ps -q) || exit $?
if [ -n "$ids" ]; then docker inspect $ids; else echo '[]'; fi`;

export function factsScript(): string {
  return [
    'PATH="$PATH:/usr/sbin:/sbin"; export LC_ALL=C',
    section(FACTS.dockerInfo, `docker info --format '{{json .}}'`),
    section(FACTS.dockerInspect, INSPECT),
    section(FACTS.iptablesVersion, 'iptables -V'),
    section(FACTS.filter4, 'iptables-save -c -t filter'),
    section(FACTS.filter6, 'ip6tables-save -c -t filter'),
    section(FACTS.nat6, 'ip6tables-save -t nat'),
    section(FACTS.otherBackend, OTHER_BACKEND),
    section(FACTS.persistence, PERSISTENCE),
    section(FACTS.savedV4, 'cat /etc/iptables/rules.v4 2>/dev/null'),
    section(FACTS.savedV6, 'cat /etc/iptables/rules.v6 2>/dev/null'),
    section(FACTS.listening, 'ss -Hltnup 2>/dev/null'),
  ].join('\n');
}
