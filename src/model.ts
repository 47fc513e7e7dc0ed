// The words fleet thinks in. Every module speaks these types; none of them does I/O.

export type Protocol = 'tcp' | 'udp';
export type Family = 4 | 6;

/** Where a value came from in a user's file, for error messages (1-based line and column). */
export interface Where {
  file: string;
  line: number;
  col: number;
}

// ---------------------------------------------------------------- inventory

export interface HostSpec {
  name: string;
  /** IPv4, IPv6 or a DNS name, as written. */
  address: string;
  port: number;
  user: string;
  identityFile?: string;
  knownHostsFile: string;
  /** Run privileged commands through `sudo -n`. */
  sudo: boolean;
  /** Policy names from the host and its groups, sorted and unique. */
  policies: string[];
  groups: string[];
  /** Connection fields the user did not write (fleet's own default): ~/.ssh/config may set them. */
  defaulted?: ('user' | 'port')[];
  where: Where;
}

export interface Inventory {
  file: string;
  hosts: HostSpec[];
  groups: Record<string, string[]>;
}

// ---------------------------------------------------------------- policies

/** A normalised network, e.g. `192.168.1.24/32` or `fd00::/64`. */
export interface Source {
  cidr: string;
  family: Family;
}

export type Target =
  | { kind: 'container'; container: string; port?: number; protocol: Protocol }
  | { kind: 'hostPort'; hostPort: number; protocol: Protocol };

export interface PolicyRule {
  policy: string;
  target: Target;
  /** Expanded (source names resolved), normalised, sorted, unique. Empty means nobody. */
  allow: Source[];
  where: Where;
}

export interface Policy {
  name: string;
  file: string;
  rules: PolicyRule[];
}

// ---------------------------------------------------------------- facts

/** One host binding of one container port, as Docker reports it. */
export interface PublishedPort {
  container: string;
  containerPort: number;
  protocol: Protocol;
  /** `0.0.0.0`, `::`, or one host address such as `127.0.0.1`. */
  hostIp: string;
  hostPort: number;
  /**
   * How packets from other machines reach this binding: Docker's DNAT (through FORWARD and
   * DOCKER-USER), docker-proxy listening on the host (through INPUT), or nothing at all.
   * Undefined means DNAT, which is every IPv4 binding of a Docker that writes iptables rules.
   */
  path?: 'dnat' | 'proxy' | 'none';
}

/** The filter table of one family, as `iptables-save -t filter` printed it. */
export interface FilterTable {
  /** Chain name to policy (`ACCEPT`, `DROP`, or `-` for user chains), in printed order. */
  chains: Map<string, string>;
  /**
   * Rules in printed order; `spec` is the line after `-A CHAIN `, counters removed. `packets` is
   * the rule's packet counter where the text had counters (`iptables-save -c`).
   */
  rules: { chain: string; spec: string; packets?: number }[];
}

/** What fleet knows of a running Docker: `docker info`, read only where DOCKER-USER is missing. */
export interface DockerFacts {
  serverVersion?: string;
  /** `iptables`, `nftables` (Docker 29+), or undefined where Docker does not say. */
  firewallBackend?: string;
}

export interface PersistenceFacts {
  installed: boolean;
  enabledAtBoot: boolean;
  /** Contents of /etc/iptables/rules.v4 and rules.v6, undefined when absent. */
  savedV4?: string;
  savedV6?: string;
}

export interface HostFacts {
  docker: DockerFacts | null;
  ports: PublishedPort[];
  filter4: FilterTable | null;
  filter6: FilterTable | null;
  iptablesBackend: 'nft' | 'legacy' | 'unknown';
  /** DOCKER-USER is missing from the selected iptables but present in the other backend's. */
  dockerUserInOtherBackend: boolean;
  persistence: PersistenceFacts;
}

// ---------------------------------------------------------------- plan

/** One rule fleet wants, rendered exactly as `iptables-save` prints it after `-A CHAIN `. */
export interface Rule {
  family: Family;
  chain: string;
  spec: string;
  reason: string;
}

export interface Change {
  op: 'add' | 'remove';
  rule: Rule;
}

export interface HostPlan {
  host: string;
  /** Every rule fleet wants on the host, in order, per family. */
  wanted: Rule[];
  /** What differs from the live rules, in the order to show it. Empty when in sync. */
  changes: Change[];
  warnings: string[];
  /** Why things need no rule ("nginx3: published on 127.0.0.1 only, nothing to do"). */
  notes: string[];
  /** How many containers a policy rule matched. */
  matched: number;
}
