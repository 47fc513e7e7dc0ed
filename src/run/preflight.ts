// Checks on a host's facts before fleet plans or changes anything there. Pure.
import { HostError } from '../errors.js';
import type { HostFacts } from '../model.js';
import { hasDockerUser } from '../plan/live.js';

export interface Preflight {
  /** Why fleet must not touch this host, or undefined when it may. */
  error?: HostError;
  warnings: string[];
}

/** The command that installs netfilter-persistent, for every message that needs it. */
export const INSTALL_PERSISTENCE = 'sudo apt-get install iptables-persistent';

export function preflight(host: string, facts: HostFacts, persist: boolean): Preflight {
  const stop = (detail: string, fix?: string): Preflight => ({
    error: new HostError(host, 'check', detail, fix),
    warnings: [],
  });
  if (!facts.docker) {
    return stop('Docker is not running or not installed (`docker ps` failed)', 'start dockerd, or take the host out of the inventory');
  }
  if (facts.docker.firewallBackend === 'nftables') {
    return stop(
      `Docker ${facts.docker.serverVersion ?? ''} uses its nftables firewall backend, which has no DOCKER-USER chain`,
      'run dockerd with the iptables backend ("firewall-backend": "iptables" in daemon.json)',
    );
  }
  if (!hasDockerUser(facts.filter4)) {
    if (facts.dockerUserInOtherBackend) {
      const other = facts.iptablesBackend === 'nft' ? 'legacy' : 'nft';
      return stop(
        `Docker writes its rules with iptables-${other}, but \`iptables\` here is iptables-${facts.iptablesBackend}`,
        `make them agree: sudo update-alternatives --set iptables /usr/sbin/iptables-${other} (and ip6tables), then restart Docker`,
      );
    }
    return stop(
      "Docker's DOCKER-USER chain is missing from the filter table",
      'dockerd runs with --iptables=false, or has not started yet; start it with iptables enabled',
    );
  }
  const warnings: string[] = [];
  if (!facts.persistence.installed) {
    const text = `netfilter-persistent is not installed, so rules would vanish at reboot (${INSTALL_PERSISTENCE})`;
    if (persist) return stop(text, 'or run with --no-persist to change the live rules only');
    warnings.push(text);
  } else if (!facts.persistence.enabledAtBoot) {
    warnings.push('netfilter-persistent is not enabled at boot (sudo systemctl enable netfilter-persistent)');
  }
  return { warnings };
}
