// The work every tool is given, the same for all: how many hosts at once, and what to read.

/** fleet's default --concurrency; every other tool gets the same. */
export const CONCURRENCY = 50;

/** The reads any SSH tool needs at least: Docker's containers and the filter table. */
export const BARE_READS = `docker ps --format '{{json .}}'; iptables-save -t filter`;

/** The key exchange ssh2 (and so fleet) negotiates with OpenSSH 9.2. */
export const FLEET_KEX = 'curve25519-sha256';
