// Where everything of the lab lives: names, addresses and paths, all derived from a host's number.
// Lab addresses come only from 198.18.0.0/15 (198.18/16 for the lab net, 198.19/16 inside docker
// hosts) and the ULA prefix below, so no lab packet can ever mean anything outside this machine.

export const LAB_DIR = '/run/fleet-lab';
export const STATE_FILE = `${LAB_DIR}/state.jsonl`;
export const INFO_FILE = `${LAB_DIR}/lab.json`;
export const INVENTORY_FILE = `${LAB_DIR}/inventory.yaml`;
export const KEY_FILE = `${LAB_DIR}/id_ed25519`;
export const KNOWN_HOSTS_FILE = `${LAB_DIR}/known_hosts`;
export const IMAGE_TAR = `${LAB_DIR}/busybox.tar`;
export const ETC_NETNS = '/etc/netns';
export const SUDOERS_FILE = '/etc/sudoers.d/fleet-lab';

/** Every namespace and root-namespace link of the lab starts with this. */
export const PREFIX = 'fl-';
export const SWITCH_NETNS = 'fl-sw';
export const BRIDGE = 'br0';
export const CONTROLLER_LINK = 'fl-ctl';
export const PREFIX6 = 'fd5e:e7f1:ab00::';
export const CONTROLLER = { address: '198.18.0.1', address6: `${PREFIX6}1` };
export const NET_BITS = 16;
export const NET6_BITS = 64;

export const USER = 'pi';
/** The user's comment field marks it as the lab's, so a sweep after a crash can tell. */
export const USER_COMMENT = 'fleet lab';
export const IMAGE = 'fleet-lab/busybox';
/** Docker hosts get docker0 at 198.19.I.1/24, so the number of docker hosts stays below this. */
export const MAX_DOCKER_HOSTS = 127;
export const MAX_HOSTS = 1000;
/** The real docker binary: /usr/local/bin/docker on this machine is an unrelated newer client. */
export const DOCKER_BIN = '/usr/bin/docker';

/** The client PCs; each one's switch port has the client's name. */
export const CLIENTS = [
  { name: 'pc-a', netns: 'fl-pc-a', address: '198.18.0.10', address6: `${PREFIX6}10` },
  { name: 'pc-b', netns: 'fl-pc-b', address: '198.18.0.11', address6: `${PREFIX6}11` },
] as const;

export type ClientName = (typeof CLIENTS)[number]['name'];

/** Host i (1-based): 198.18.(1 + (i-1) div 250).(1 + (i-1) mod 250), the same digits in IPv6. */
export function hostNumbers(i: number): [number, number] {
  return [1 + Math.floor((i - 1) / 250), 1 + ((i - 1) % 250)];
}

export function hostName(i: number): string {
  return `lab${i}`;
}

export function hostNetns(i: number): string {
  return `fl-lab${i}`;
}

export function hostAddress(i: number): string {
  const [third, fourth] = hostNumbers(i);
  return `198.18.${third}.${fourth}`;
}

export function hostAddress6(i: number): string {
  const [third, fourth] = hostNumbers(i);
  return `${PREFIX6}${third}:${fourth}`;
}

/** The host end of the host's cable, as the switch namespace names it. */
export function switchPort(i: number): string {
  return `h${i}`;
}

export function hostDir(name: string): string {
  return `${LAB_DIR}/hosts/${name}`;
}

/** What the host sees as /run. */
export function hostRunDir(name: string): string {
  return `${hostDir(name)}/run`;
}

/** What the host sees as /etc/X, for each X in this directory (`ip netns exec` binds them). */
export function hostEtcDir(netns: string): string {
  return `${ETC_NETNS}/${netns}`;
}

export function dockerSocket(name: string): string {
  return `${hostRunDir(name)}/docker.sock`;
}

export function dockerBridge(i: number): string {
  return `198.19.${i}.1/24`;
}

/** Relative path of a docker host's containers in every cgroup hierarchy. */
export const CGROUP_ROOT = 'fleet-lab';
export function cgroupParent(name: string): string {
  return `/${CGROUP_ROOT}/${name}`;
}
