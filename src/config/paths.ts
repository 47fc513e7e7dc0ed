// `~` in paths from files, expanded against a home directory passed in (so this stays pure).
import { posix } from 'node:path';
import type { Parsed } from './report.js';

export function expandHome(path: string, home: string): Parsed<string> {
  if (path === '~') return { ok: true, value: home };
  if (path.startsWith('~/')) return { ok: true, value: posix.join(home, path.slice(2)) };
  if (path.startsWith('~')) {
    const problem = `\`${path}\`: only \`~\` and \`~/\` are expanded`;
    return { ok: false, problem, fix: 'write the full path' };
  }
  return { ok: true, value: path };
}
