// What a running lab looks like from outside: LabInfo, also kept as lab.json, and the fleet
// inventory of all its hosts.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  CLIENTS, CONTROLLER, INFO_FILE, INVENTORY_FILE, KEY_FILE, KNOWN_HOSTS_FILE, USER,
  hostAddress, hostAddress6, hostName, hostNetns,
} from './layout.js';

export type HostKind = 'docker' | 'standin';

export interface LabHost {
  name: string;
  netns: string;
  address: string;
  address6: string;
  port: number;
  user: string;
  /** `docker`: a real dockerd 20.10; `standin`: a shell script answering fleet's docker calls. */
  kind: HostKind;
}

export interface LabClient {
  name: 'pc-a' | 'pc-b';
  netns: string;
  address: string;
  address6: string;
}

export interface LabInfo {
  hosts: LabHost[];
  /** pc-a is meant as the allowed PC, pc-b as the denied one. */
  clients: LabClient[];
  controller: { address: string; address6: string };
  keyFile: string;
  knownHostsFile: string;
  inventoryFile: string;
}

export function labInfo(hosts: number, dockerHosts: number): LabInfo {
  return {
    hosts: Array.from({ length: hosts }, (_, k) => labHost(k + 1, k < dockerHosts)),
    clients: CLIENTS.map((client) => ({ ...client })),
    controller: { ...CONTROLLER },
    keyFile: KEY_FILE,
    knownHostsFile: KNOWN_HOSTS_FILE,
    inventoryFile: INVENTORY_FILE,
  };
}

function labHost(i: number, docker: boolean): LabHost {
  return {
    name: hostName(i),
    netns: hostNetns(i),
    address: hostAddress(i),
    address6: hostAddress6(i),
    port: 22,
    user: USER,
    kind: docker ? 'docker' : 'standin',
  };
}

export function writeInfo(info: LabInfo): void {
  writeFileSync(INFO_FILE, `${JSON.stringify(info, null, 2)}\n`);
  writeFileSync(INVENTORY_FILE, inventory(info));
}

/** The running lab's LabInfo, or undefined when no lab is up. */
export function readInfo(): LabInfo | undefined {
  try {
    return JSON.parse(readFileSync(INFO_FILE, 'utf8')) as LabInfo;
  } catch {
    return undefined;
  }
}

/** The policy every lab host gets in the generated inventory. */
const POLICY = 'office-only';

export function inventory(info: LabInfo): string {
  const defaults = [
    `user: ${USER}`, 'port: 22', `identityFile: ${info.keyFile}`,
    `knownHostsFile: ${info.knownHostsFile}`, 'sudo: true',
  ];
  const hosts = info.hosts.map((h) =>
    `  ${h.name}: { address: ${h.address}, policies: [${POLICY}] }`);
  return [`defaults: { ${defaults.join(', ')} }`, 'hosts:', ...hosts, ''].join('\n');
}
