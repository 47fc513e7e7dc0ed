// fleet built for the benchmark, as `npm run build` builds it (tsc -p tsconfig.build.json) but into
// bench/.build/, so that someone rebuilding dist/ in this shared checkout mid-run changes nothing.
// Either the working tree or a git revision (for A/B runs); returns the path of the built CLI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
const BUILD_DIR = join(ROOT, 'bench', '.build');

export function buildFleet(revision?: string): string {
  const out = join(BUILD_DIR, revision ? `rev-${revision}` : 'work');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const project = revision ? exportRevision(revision, join(out, 'tree')) : ROOT;
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(project, 'tsconfig.build.json'), '--outDir', join(out, 'dist')], {
    stdio: 'inherit',
  });
  return join(out, 'dist', 'cli.js');
}

/** The sources of a revision, in a directory under ROOT so that node_modules is found. */
function exportRevision(revision: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const paths = ['src', 'tsconfig.json', 'tsconfig.build.json'];
  const tar = execFileSync('git', ['-C', ROOT, 'archive', revision, ...paths]);
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}
