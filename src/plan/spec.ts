// fleet's rules, written exactly as iptables-save prints them (see test/fixtures/iptables-1.8.9),
// so a wanted rule and a live rule compare as plain strings.
import ipaddr from 'ipaddr.js';
import type { Family, PublishedPort, Source } from '../model.js';
import { printed } from '../policy/source.js';

export const FLEET = 'FLEET';
export const DOCKER_USER = 'DOCKER-USER';
const JUMP = `-j ${FLEET}`;

/** fleet's chain for bindings served by docker-proxy, whose packets cross INPUT instead. */
export const FLEET_INPUT = 'FLEET-INPUT';

/** A chain fleet owns, and the chain that must jump to it first. */
export interface Owned {
  chain: string;
  parent: string;
  jump: string;
}

export const OWNED: readonly Owned[] = [
  { chain: FLEET, parent: DOCKER_USER, jump: JUMP },
  { chain: FLEET_INPUT, parent: 'INPUT', jump: `-j ${FLEET_INPUT}` },
];

/** Which of fleet's chains restricts this binding. */
export function chainOf(port: PublishedPort): string {
  return port.path === 'proxy' ? FLEET_INPUT : FLEET;
}

export function familyOf(port: PublishedPort): Family {
  return port.hostIp.includes(':') ? 6 : 4;
}

/** Published on every address of its family (`0.0.0.0`, `::`) rather than on one. */
function onEveryAddress(port: PublishedPort): boolean {
  return ipaddr.parse(port.hostIp).range() === 'unspecified';
}

export function onLoopback(port: PublishedPort): boolean {
  return ipaddr.parse(port.hostIp).range() === 'loopback';
}

/**
 * What the RETURNs and the REJECT of one published port match: the container port the packet has
 * after Docker's DNAT, the host port (and address) it was sent to, and only the direction of
 * connections coming in, so replies to a container's own outgoing connections pass.
 */
function portMatch(port: PublishedPort): string {
  const p = port.protocol;
  const address = onEveryAddress(port) ? '' : ` --ctorigdst ${printed(ipaddr.parse(port.hostIp))}`;
  return (
    `-p ${p} -m ${p} --dport ${port.containerPort} -m conntrack${address}` +
    ` --ctorigdstport ${port.hostPort} --ctdir ORIGINAL`
  );
}

/**
 * What the rules of a binding served by docker-proxy match in INPUT: the host port (and address),
 * new connections only, and never the host's own loopback, as for Docker's DNAT'd traffic.
 */
function proxyMatch(port: PublishedPort): string {
  const p = port.protocol;
  const bits = familyOf(port) === 4 ? 32 : 128;
  const address = onEveryAddress(port) ? '' : `-d ${printed(ipaddr.parse(port.hostIp))}/${bits} `;
  return `${address}! -i lo -p ${p} -m ${p} --dport ${port.hostPort} -m conntrack --ctdir ORIGINAL`;
}

function matchOf(port: PublishedPort): string {
  return port.path === 'proxy' ? proxyMatch(port) : portMatch(port);
}

/** iptables-save leaves `-s` out for `/0`. */
export function returnSpec(port: PublishedPort, source: Source): string {
  const from = source.cidr.endsWith('/0') ? '' : `-s ${source.cidr} `;
  return `${from}${matchOf(port)} -j RETURN`;
}

export function rejectSpec(port: PublishedPort): string {
  const icmp = familyOf(port) === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
  return `${matchOf(port)} -j REJECT --reject-with ${icmp}`;
}

/** `nginx1 80/tcp (host port 8080)`, or `(host port 198.18.1.1:8090)` on one address. */
export function portLabel(port: PublishedPort): string {
  const address = familyOf(port) === 4 ? port.hostIp : `[${port.hostIp}]`;
  const host = onEveryAddress(port) ? `${port.hostPort}` : `${address}:${port.hostPort}`;
  return `${port.container} ${port.containerPort}/${port.protocol} (host port ${host})`;
}
