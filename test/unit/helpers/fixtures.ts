import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** The text of test/fixtures/<path>. */
export function fixture(path: string): string {
  return readFileSync(root + path, 'utf8');
}
