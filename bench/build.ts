// fleet built for the benchmark, as `npm run build` builds it (tsc -p tsconfig.build.json) but into
// bench/.build/, so that someone rebuilding dist/ in this shared checkout mid-run changes nothing.
// Either the working tree or a git revision (for A/B runs); returns the path of the built CLI.
// bare-reads.ts is compiled the same way, so that neither pays for a TypeScript loader.
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

/** bench/bare-reads.ts of the working tree, compiled with the project's options; its path. */
export function buildBareReads(): string {
  const out = join(BUILD_DIR, 'bare-reads');
  rmSync(out, { recursive: true, force: true });
  const options = ['--module', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck'];
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  const file = join(ROOT, 'bench', 'bare-reads.ts');
  execFileSync(tsc, [file, ...options, '--types', 'node', '--rootDir', ROOT, '--outDir', out], {
    stdio: 'inherit',
  });
  return join(out, 'bench', 'bare-reads.js');
}

/** The sources of a revision, in a directory under ROOT so that node_modules is found. */
function exportRevision(revision: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const paths = ['src', 'tsconfig.json', 'tsconfig.build.json'];
  const tar = execFileSync('git', ['-C', ROOT, 'archive', revision, ...paths]);
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}
