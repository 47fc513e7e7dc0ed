// What Docker reports, to facts: `docker inspect` of the running containers to their published
// ports, and `docker info` / `docker version` (both `--format '{{json .}}'`) to DockerFacts.
import type { DockerFacts, Protocol, PublishedPort } from '../model.js';
import { compareText } from '../order.js';

interface Binding {
  HostIp?: string;
  HostPort?: string;
}

interface Inspected {
  Name?: string;
  State?: { Running?: boolean };
  NetworkSettings?: { Ports?: Record<string, Binding[] | null> | null };
}

/** Every host binding of every running container, sorted by container, port, host IP. */
export function parseDockerInspect(text: string): PublishedPort[] {
  const containers = parseJson(text, 'docker inspect');
  if (!Array.isArray(containers)) throw new Error('docker inspect printed no JSON array');
  return (containers as Inspected[])
    .filter((c) => c.State?.Running === true)
    .flatMap(publishedPorts)
    .sort(comparePorts);
}

function publishedPorts(container: Inspected): PublishedPort[] {
  const name = (container.Name ?? '').replace(/^\//, '');
  const ports = Object.entries(container.NetworkSettings?.Ports ?? {});
  return ports.flatMap(([key, bindings]) => {
    const port = /^(\d+)\/(tcp|udp)$/.exec(key);
    if (!port?.[1] || !port[2]) return []; // sctp: fleet does not handle it
    const base = { container: name, containerPort: Number(port[1]), protocol: port[2] as Protocol };
    return (bindings ?? []).map((b) => ({
      ...base,
      // Docker leaves HostIp empty in some versions where it means every IPv4 address.
      hostIp: b.HostIp || '0.0.0.0',
      hostPort: Number(b.HostPort),
    }));
  });
}

function comparePorts(a: PublishedPort, b: PublishedPort): number {
  return (
    compareText(a.container, b.container) ||
    compareText(a.protocol, b.protocol) ||
    a.containerPort - b.containerPort ||
    compareText(a.hostIp, b.hostIp) ||
    a.hostPort - b.hostPort
  );
}

/** Docker 28.x and later say which firewall backend they use; older versions say nothing. */
export function parseDockerInfo(text: string): DockerFacts {
  const info = parseJson(text, 'docker info') as {
    ServerVersion?: string;
    FirewallBackend?: { Driver?: string } | null;
  };
  if (typeof info?.ServerVersion !== 'string') {
    throw new Error('docker info printed no ServerVersion');
  }
  const backend = info.FirewallBackend?.Driver;
  return { serverVersion: info.ServerVersion, ...(backend ? { firewallBackend: backend } : {}) };
}

/** The daemon's version, or null when the client could not reach a daemon (`Server` is null). */
export function parseDockerVersion(text: string): string | null {
  const version = parseJson(text, 'docker version') as { Server?: { Version?: string } | null };
  return version?.Server?.Version ?? null;
}

function parseJson(text: string, command: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${command} printed something that is not JSON: ${text.slice(0, 80)}`);
  }
}
