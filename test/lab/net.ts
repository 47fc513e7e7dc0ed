// The lab's network: one switch (a bridge in its own namespace, so the root namespace's FORWARD
// chain and br_netfilter never see lab traffic), the controller's cable into it from the root
// namespace, and a namespace per host or client with its eth0 plugged into the switch.
import { must } from './exec.js';
import {
  BRIDGE, CONTROLLER, CONTROLLER_LINK, NET6_BITS, NET_BITS, SWITCH_NETNS,
} from './layout.js';
import { record } from './state.js';

export async function addNetns(name: string): Promise<void> {
  record({ kind: 'netns', name });
  await must(['ip', 'netns', 'add', name]);
}

/** Runs `ip` commands, one a line, inside namespace netns. */
export async function ipBatch(netns: string, lines: string[]): Promise<void> {
  await must(['ip', '-n', netns, '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

export async function addSwitch(): Promise<void> {
  await addNetns(SWITCH_NETNS);
  await ipBatch(SWITCH_NETNS, [
    'link set lo up', `link add ${BRIDGE} type bridge`, `link set ${BRIDGE} up`,
  ]);
  // Bridged frames would otherwise cross this namespace's (empty) netfilter hooks.
  for (const family of ['iptables', 'ip6tables', 'arptables']) {
    const sysctl = ['sysctl', '-qw', `net.bridge.bridge-nf-call-${family}=0`];
    await must(['ip', 'netns', 'exec', SWITCH_NETNS, ...sysctl]);
  }
  await plugController();
}

async function plugController(): Promise<void> {
  record({ kind: 'link', name: CONTROLLER_LINK });
  const peer = ['peer', 'name', 'ctl', 'netns', SWITCH_NETNS];
  await must(['ip', 'link', 'add', CONTROLLER_LINK, 'type', 'veth', ...peer]);
  await attach('ctl');
  await must(['ip', '-batch', '-'], {
    input: [
      `addr add ${CONTROLLER.address}/${NET_BITS} dev ${CONTROLLER_LINK}`,
      `addr add ${CONTROLLER.address6}/${NET6_BITS} dev ${CONTROLLER_LINK} nodad`,
      `link set ${CONTROLLER_LINK} up`,
      '',
    ].join('\n'),
  });
}

/** Makes namespace netns with eth0 carrying the addresses, cabled to switch port `port`. */
export async function addNode(netns: string, port: string, address: string, address6: string) {
  await addNetns(netns);
  const peer = ['peer', 'name', 'eth0', 'netns', netns];
  await must(['ip', 'link', 'add', port, 'netns', SWITCH_NETNS, 'type', 'veth', ...peer]);
  await attach(port);
  await ipBatch(netns, [
    'link set lo up',
    `addr add ${address}/${NET_BITS} dev eth0`,
    `addr add ${address6}/${NET6_BITS} dev eth0 nodad`,
    'link set eth0 up',
  ]);
}

async function attach(port: string): Promise<void> {
  await must(['ip', '-n', SWITCH_NETNS, 'link', 'set', port, 'master', BRIDGE, 'up']);
}
