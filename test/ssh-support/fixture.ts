// What the end-to-end ssh tests share: a home dir of their own and hosts pointing at a test sshd.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import type { HostSpec } from '../../src/model.js';
import { DEFAULT_CONNECT_OPTIONS, type ConnectOptions } from '../../src/ssh/transport.js';
import { sh } from './tools.js';

/** A home dir with an empty ~/.ssh, so no real user's keys or config are ever read. */
export function makeHome(dir: string): string {
  mkdirSync(path.join(dir, '.ssh'), { recursive: true, mode: 0o700 });
  return dir;
}

export function hostSpec(port: number, knownHostsFile: string, over: Partial<HostSpec> = {}) {
  const spec: HostSpec = {
    name: 'pi-test',
    address: '127.0.0.1',
    port,
    user: 'root',
    knownHostsFile,
    sudo: false,
    policies: [],
    groups: [],
    where: { file: 'inventory.yml', line: 1, col: 1 },
    ...over,
  };
  return spec;
}

/** No ssh-agent unless given, no terminal, short timeouts. */
export function options(home: string, over: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    ...DEFAULT_CONNECT_OPTIONS,
    connectTimeoutMs: 5000,
    env: { USER: 'root', HOME: home },
    homeDir: home,
    ...over,
  };
}

/** known_hosts lines for a test sshd, as ssh-keyscan prints them. */
export async function keyscan(port: number, type?: string): Promise<string> {
  const types = type ? ['-t', type] : [];
  return sh('ssh-keyscan', [...types, '-p', String(port), '127.0.0.1']);
}
