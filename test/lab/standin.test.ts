// A stand-in host must look like a Docker 20.10 host to fleet: the same docker answers (for its
// own container ids) and the same chain layout, reached the same way (SSH, sudo).
import { describe, expect, inject, it } from 'vitest';
import { ssh, type LabHost } from './lab.js';

const lab = inject('lab');
const standin = lab.hosts.find((h) => h.kind === 'standin') as LabHost;
const real = lab.hosts.find((h) => h.kind === 'docker') as LabHost;

async function sudo(host: LabHost, command: string): Promise<string> {
  const result = await ssh(host.name, `sudo -n ${command}`);
  if (result.code !== 0) throw new Error(`${host.name}: sudo ${command}: ${result.stderr}`);
  return result.stdout;
}

interface Inspected {
  Id: string;
  Name: string;
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[]> };
}

async function inspectAll(host: LabHost): Promise<Inspected[]> {
  return JSON.parse(await sudo(host, 'sh -c \'docker inspect $(docker ps -q)\'')) as Inspected[];
}

describe('a stand-in host', () => {
  it('answers docker ps -q and docker inspect as the real host does, own ids', async () => {
    const [mine, theirs] = [await inspectAll(standin), await inspectAll(real)];
    expect(mine.map((c) => c.Name)).toEqual(['/nginx2', '/nginx1']);
    // The real host's order changes once its containers restart (another test may reboot it).
    const ports = (list: Inspected[]) =>
      Object.fromEntries(list.map((c) => [c.Name, c.NetworkSettings.Ports]));
    expect(ports(mine)).toEqual(ports(theirs));
    expect(Object.keys(mine[0] ?? {})).toEqual(Object.keys(theirs[0] ?? {}));
    expect(mine.map((c) => c.Id)).not.toEqual(theirs.map((c) => c.Id));
  });

  it('says which container ids it does not know, as docker does', async () => {
    const result = await ssh(standin.name, 'sudo -n docker inspect nginx1 nosuch');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: No such object: nosuch');
    expect((JSON.parse(result.stdout) as Inspected[]).map((c) => c.Name)).toEqual(['/nginx1']);
  });

  it('reports Docker 20.10 in docker version and docker info', async () => {
    const info = JSON.parse(await sudo(standin, "docker info --format '{{json .}}'")) as {
      ServerVersion: string;
      Name: string;
    };
    expect(info.ServerVersion).toMatch(/^20\.10\./);
    expect(info.Name).toBe(standin.name);
    const version = JSON.parse(await sudo(standin, "docker version --format '{{json .}}'")) as {
      Server: { Version: string };
    };
    expect(version.Server.Version).toMatch(/^20\.10\./);
  });

  it("has Docker's layout: FORWARD jumps first to DOCKER-USER, which ends in RETURN", async () => {
    const chain = await sudo(standin, 'iptables -S DOCKER-USER');
    expect(chain).toBe('-N DOCKER-USER\n-A DOCKER-USER -j RETURN\n');
    const forward = (await sudo(standin, 'iptables -S FORWARD')).split('\n');
    expect(forward.slice(0, 2)).toEqual(['-P FORWARD DROP', '-A FORWARD -j DOCKER-USER']);
  });

  it('refuses docker to the login user without sudo, like a real host', async () => {
    const result = await ssh(standin.name, 'docker ps -q');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('permission denied');
  });
});
