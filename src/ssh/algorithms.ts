// Algorithm preferences offered to the server. ssh2's own lists, reordered in two places.
import type { KexAlgorithm, ServerHostKeyAlgorithm } from 'ssh2';

// ssh2 puts the @libssh.org alias first; the RFC 8731 name goes first here so that comparisons
// with OpenSSH (which does the same) measure the same key exchange.
export const KEX: KexAlgorithm[] = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group15-sha512',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group17-sha512',
  'diffie-hellman-group18-sha512',
];

const HOST_KEY: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** The key type an algorithm's keys carry: the rsa-sha2 signatures use ssh-rsa keys. */
function keyTypeFor(algorithm: ServerHostKeyAlgorithm): string {
  return algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm;
}

/**
 * The server sends the key of one algorithm only, the first of ours it has. So, as OpenSSH
 * does, the algorithms whose keys known_hosts already holds for the host go first.
 */
export function hostKeyAlgorithms(knownTypes: readonly string[]): ServerHostKeyAlgorithm[] {
  const known = HOST_KEY.filter((a) => knownTypes.includes(keyTypeFor(a)));
  return [...known, ...HOST_KEY.filter((a) => !known.includes(a))];
}
