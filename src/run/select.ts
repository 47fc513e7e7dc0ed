// `--limit PATTERN`: which hosts of the inventory a command acts on.
import { UserError } from '../errors.js';
import type { HostSpec, Inventory } from '../model.js';

/**
 * Hosts whose name, or one of whose groups, matches any comma-separated glob in `limit`
 * (`*` and `?`). No limit selects every host. A pattern that selects nothing is an error, so a
 * typo never turns into a silent no-op.
 */
export function selectHosts(inventory: Inventory, limit: string | undefined): HostSpec[] {
  if (!limit) return inventory.hosts;
  const patterns = limit.split(',').map((p) => p.trim()).filter(Boolean);
  for (const pattern of patterns) {
    if (!inventory.hosts.some((h) => matchesHost(h, [pattern]))) {
      throw new UserError(undefined, '--limit', `\`${pattern}\` matches no host or group in ${inventory.file}`, 'run `fleet validate` to list them');
    }
  }
  return inventory.hosts.filter((h) => matchesHost(h, patterns));
}

function matchesHost(host: HostSpec, patterns: string[]): boolean {
  return patterns.some((p) => [host.name, ...host.groups].some((name) => glob(p).test(name)));
}

function glob(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}
