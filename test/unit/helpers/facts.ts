// HostFacts for planner tests: captured lab output, or tables written inline.
import { parseDockerInspect } from '../../../src/facts/docker.js';
import { parseFilterTable } from '../../../src/facts/iptables.js';
import { parseListeners, withPaths, type Listener } from '../../../src/facts/paths.js';
import type { FilterTable, HostFacts, HostSpec, Policy, PublishedPort } from '../../../src/model.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { fixture } from './fixtures.js';

/** Docker 20.10's filter table with nothing of fleet's and no user rule, as a base to add to. */
export const DOCKER_20_10 = fixture('docker-20.10/iptables-save-filter.txt');

export function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    docker: { serverVersion: '20.10.24+dfsg1' },
    ports: [],
    filter4: parseFilterTable(DOCKER_20_10),
    filter6: null,
    iptablesBackend: 'nft',
    dockerUserInOtherBackend: false,
    persistence: { installed: true, enabledAtBoot: true },
    ...over,
  };
}

/** lab1 as captured: Docker 20.10, seven containers, nothing of fleet's yet. */
export function labFacts(): HostFacts {
  const ports = parseDockerInspect(fixture('docker-20.10/docker-inspect.json'));
  const listeners = listenersOf('docker-20.10');
  return facts({ ports: withPaths(ports, listeners, []), filter6: parseFilterTable(EMPTY_V6) });
}

/** The TCP and UDP listeners captured in a fixture directory, as the facts script asks ss. */
export function listenersOf(dir: string): Listener[] {
  return [
    ...parseListeners(fixture(`${dir}/ss-tcp-listening.txt`), 'tcp'),
    ...parseListeners(fixture(`${dir}/ss-udp-unconnected.txt`), 'udp'),
  ];
}

/** What `ip6tables-save -t filter` printed on lab1, where Docker 20.10 keeps out of ip6tables. */
export const EMPTY_V6 = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

/** A filter table: Docker's chains with `lines` (`-A ...`) put into it in order. */
export function table(lines: string[], chains: string[] = ['DOCKER-USER']): FilterTable {
  const declared = [':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  const text = ['*filter', ...declared, ...chains.map((c) => `:${c} - [0:0]`), ...lines, 'COMMIT'];
  return parseFilterTable(text.join('\n'));
}

export function port(container: string, spec: string): PublishedPort {
  const m = /^(\d+)\/(tcp|udp) (\S+) (\d+)$/.exec(spec);
  if (!m) throw new Error(`port spec: ${spec}`);
  return { container, containerPort: Number(m[1]), protocol: m[2] as 'tcp' | 'udp', hostIp: m[3]!, hostPort: Number(m[4]) };
}

/** A policy read from YAML the way fleet reads it; a test with a broken policy fails at once. */
export function policy(name: string, yaml: string): Policy {
  const { policy: read, errors } = parsePolicy(yaml, `policies/${name}.yaml`);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  return read;
}

export function host(policies: string[], name = 'lab1'): HostSpec {
  return {
    name, address: '198.18.1.1', port: 22, user: 'pi', knownHostsFile: '/k', sudo: true, policies,
    groups: [], where: { file: 'inventory/hosts.yaml', line: 11, col: 3 },
  };
}
