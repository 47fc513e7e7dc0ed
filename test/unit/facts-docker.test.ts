import { describe, expect, it } from 'vitest';
import { parseDockerInfo, parseDockerInspect, parseDockerVersion } from '../../src/facts/docker.js';
import { fixture } from './helpers/fixtures.js';

describe('parseDockerInspect on Docker 20.10 (lab1)', () => {
  const ports = parseDockerInspect(fixture('docker-20.10/docker-inspect.json'));
  const of = (container: string) => ports.filter((p) => p.container === container);

  it('gives every binding of every running container, names without the leading /', () => {
    expect(ports.map((p) => `${p.container} ${p.containerPort}/${p.protocol} ${p.hostIp} ${p.hostPort}`)).toEqual([
      'app 80/tcp 0.0.0.0 8084',
      'app 80/tcp :: 8084',
      'host-addr 80/tcp 198.18.1.1 8090',
      'local-only 80/tcp 127.0.0.1 8083',
      'multi 80/tcp 0.0.0.0 8082',
      'multi 80/tcp :: 8082',
      'multi 443/tcp 0.0.0.0 8443',
      'multi 443/tcp :: 8443',
      'multi 9000/udp 0.0.0.0 9000',
      'multi 9000/udp :: 9000',
      'nginx1 80/tcp 0.0.0.0 8080',
      'nginx1 80/tcp :: 8080',
      'nginx2 80/tcp 0.0.0.0 8081',
      'nginx2 80/tcp :: 8081',
    ]);
  });

  it('reads nginx1 as the classic case: 8080 -> 80 on IPv4 and IPv6', () => {
    expect(of('nginx1')).toEqual([
      { container: 'nginx1', containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      { container: 'nginx1', containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 },
    ]);
  });

  it('leaves out a running container that publishes nothing', () => {
    expect(of('quiet')).toEqual([]);
  });
});

describe('parseDockerInspect on edge cases', () => {
  const one = (extra: object) => JSON.stringify([{ Name: '/c', State: { Running: true }, ...extra }]);

  it('skips stopped containers and unpublished exposed ports', () => {
    const stopped = JSON.stringify([{ Name: '/s', State: { Running: false }, NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '1' }] } } }]);
    expect(parseDockerInspect(stopped)).toEqual([]);
    expect(parseDockerInspect(one({ NetworkSettings: { Ports: { '443/tcp': null } } }))).toEqual([]);
  });

  it('reads an empty HostIp as every IPv4 address, and skips sctp', () => {
    const ports = { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '5000/sctp': [{ HostIp: '', HostPort: '5000' }] };
    expect(parseDockerInspect(one({ NetworkSettings: { Ports: ports } }))).toEqual([
      { container: 'c', containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
    ]);
  });

  it('reads `docker inspect` of no container (an empty list)', () => {
    expect(parseDockerInspect('[]\n')).toEqual([]);
  });

  it('says what was wrong with output that is not a list of containers', () => {
    expect(() => parseDockerInspect('Error: No such object: x')).toThrow(
      'docker inspect printed something that is not JSON: Error: No such object: x',
    );
    expect(() => parseDockerInspect('{}')).toThrow('docker inspect printed no JSON array');
  });
});

describe('parseDockerInspect on Docker 28 (written from its documentation)', () => {
  it('reads the same layout', () => {
    const ports = parseDockerInspect(fixture('docker-28/docker-inspect.json'));
    expect(ports.map((p) => `${p.container} ${p.hostIp} ${p.hostPort}`)).toEqual([
      'nginx1 0.0.0.0 8080', 'nginx1 :: 8080', 'nginx2 0.0.0.0 8081', 'nginx2 :: 8081',
    ]);
  });
});

describe('parseDockerInfo and parseDockerVersion', () => {
  it('reads Docker 20.10, which names no firewall backend', () => {
    expect(parseDockerInfo(fixture('docker-20.10/docker-info.json'))).toEqual({ serverVersion: '20.10.24+dfsg1' });
    expect(parseDockerVersion(fixture('docker-20.10/docker-version.json'))).toBe('20.10.24+dfsg1');
  });

  it('reads the firewall backend of Docker 28 and later', () => {
    expect(parseDockerInfo(fixture('docker-28/docker-info.json'))).toEqual({
      serverVersion: '28.2.2',
      firewallBackend: 'iptables',
    });
    const nft = '{"ServerVersion":"29.0.1","FirewallBackend":{"Driver":"nftables"}}';
    expect(parseDockerInfo(nft).firewallBackend).toBe('nftables');
  });

  it('gives null for the daemon version when the client reached no daemon', () => {
    expect(parseDockerVersion('{"Client":{"Version":"20.10.24"},"Server":null}')).toBeNull();
  });

  it('refuses info without a server version', () => {
    expect(() => parseDockerInfo('{"ServerVersion":null}')).toThrow('docker info printed no ServerVersion');
  });
});
