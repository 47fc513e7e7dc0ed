// What stops fleet from touching a host, before any change, and what it only warns about.
import { describe, expect, it } from 'vitest';
import { parseFilterTable } from '../../src/facts/iptables.js';
import { preflight } from '../../src/run/preflight.js';
import { facts } from './helpers/facts.js';

const NO_DOCKER_USER = parseFilterTable('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\nCOMMIT\n');
const stop = (f: Parameters<typeof preflight>[1], persist = true) => preflight('pi1', f, persist).error?.message;

describe('preflight', () => {
  it('lets a Docker 20.10 host with netfilter-persistent through, with no warning', () => {
    expect(preflight('pi1', facts(), true)).toEqual({ warnings: [] });
  });

  it('stops a host without a running Docker', () => {
    expect(stop(facts({ docker: null }))).toBe(
      'pi1: check: Docker is not running or not installed (`docker info` failed) (start dockerd, or take the host out of the inventory)',
    );
  });

  it("refuses Docker's nftables firewall backend, which has no DOCKER-USER", () => {
    expect(stop(facts({ docker: { serverVersion: '29.0.1', firewallBackend: 'nftables' } }))).toBe(
      'pi1: check: Docker 29.0.1 uses its nftables firewall backend, which has no DOCKER-USER chain (run dockerd with the iptables backend ("firewall-backend": "iptables" in daemon.json))',
    );
  });

  it('names the iptables backend Docker writes to when it is not the one `iptables` runs', () => {
    expect(stop(facts({ filter4: NO_DOCKER_USER, dockerUserInOtherBackend: true }))).toBe(
      'pi1: check: Docker writes its rules with iptables-legacy, but `iptables` here is iptables-nft (make them agree: sudo update-alternatives --set iptables /usr/sbin/iptables-legacy (and ip6tables), then restart Docker)',
    );
  });

  it('stops a host whose Docker runs without iptables', () => {
    expect(stop(facts({ filter4: NO_DOCKER_USER }))).toContain("Docker's DOCKER-USER chain is missing");
  });

  it('gives the apt command when netfilter-persistent is missing: an error for apply, a warning for diff', () => {
    const missing = facts({ persistence: { installed: false, enabledAtBoot: false } });
    expect(stop(missing)).toBe(
      'pi1: check: netfilter-persistent is not installed, so rules would vanish at reboot (sudo apt-get install iptables-persistent) (or run with --no-persist to change the live rules only)',
    );
    expect(preflight('pi1', missing, false)).toEqual({
      warnings: ['netfilter-persistent is not installed, so rules would vanish at reboot (sudo apt-get install iptables-persistent)'],
    });
  });

  it('warns when netfilter-persistent will not run at boot', () => {
    const off = facts({ persistence: { installed: true, enabledAtBoot: false } });
    expect(preflight('pi1', off, true).warnings).toEqual([
      'netfilter-persistent is not enabled at boot (sudo systemctl enable netfilter-persistent)',
    ]);
  });
});
