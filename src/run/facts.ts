// From the sections the facts script printed to HostFacts, with the parsers of src/facts.
import { HostError } from '../errors.js';
import type { FilterTable, HostFacts, PublishedPort } from '../model.js';
import { parseDnats, parseListeners, withPaths } from '../facts/paths.js';
import { parseDockerInfo, parseDockerInspect } from '../facts/docker.js';
import { parseFilterTable } from '../facts/iptables.js';
import { FACTS } from '../remote/facts-script.js';
import type { Section } from '../remote/sections.js';

export function factsFromSections(host: string, sections: Map<string, Section>): HostFacts {
  const get = (name: string): Section => {
    const found = sections.get(name);
    if (!found) throw new HostError(host, 'read facts', `the facts script printed no ${name} section`);
    return found;
  };
  const ok = (name: string): string | undefined => {
    const s = get(name);
    return s.code === 0 ? s.output : undefined;
  };
  const info = ok(FACTS.dockerInfo);
  const inspect = ok(FACTS.dockerInspect);
  return {
    docker: info === undefined ? null : parseDockerInfo(info),
    ports: inspect === undefined ? [] : ipv6Paths(parseDockerInspect(inspect), get),
    filter4: table(ok(FACTS.filter4)),
    filter6: table(ok(FACTS.filter6)),
    iptablesBackend: backend(ok(FACTS.iptablesVersion)),
    dockerUserInOtherBackend: /^:DOCKER-USER /m.test(get(FACTS.otherBackend).output),
    persistence: {
      ...persistence(get(FACTS.persistence).output),
      savedV4: ok(FACTS.savedV4),
      savedV6: ok(FACTS.savedV6),
    },
  };
}

/** How IPv6 reaches each binding: Docker's ip6tables DNAT, docker-proxy, or nothing. */
function ipv6Paths(ports: PublishedPort[], get: (name: string) => Section): PublishedPort[] {
  const listeners = parseListeners(get(FACTS.listening).output);
  return withPaths(ports, listeners, parseDnats(get(FACTS.nat6).output));
}

/** The section lists the command's path, then the boot links that exist (systemd or sysvinit). */
function persistence(listing: string): { installed: boolean; enabledAtBoot: boolean } {
  const lines = listing.split('\n');
  return {
    installed: lines.some((l) => l.endsWith('bin/netfilter-persistent')),
    enabledAtBoot: lines.some((l) => /(\.service|\/S\d\dnetfilter-persistent)$/.test(l)),
  };
}

/** A table with no `*filter` part (ip6tables on a host without IPv6) counts as absent. */
function table(text: string | undefined): FilterTable | null {
  if (text === undefined || !/^\*filter$/m.test(text)) return null;
  return parseFilterTable(text);
}

function backend(version: string | undefined): HostFacts['iptablesBackend'] {
  if (version === undefined) return 'unknown';
  if (version.includes('nf_tables')) return 'nft';
  return version.includes('legacy') ? 'legacy' : 'unknown';
}
