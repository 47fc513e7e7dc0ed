// node bare-reads.js INVENTORY OUTDIR   (from the checkout, for policies/)
//
// fleet's own SSH transport doing exactly what parallel-ssh does in the benchmark: log in to every
// host of the inventory, 50 at a time, run the bare reads through sudo, write each host's output
// to OUTDIR/NAME. Compiled like the CLI (build.ts) and run as its own process, so that the two
// compare one in-process connection per host with one ssh process per host, on the same work.
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { shCommand } from '../src/remote/shell.js';
import { DEFAULT_CONNECT_OPTIONS, mapLimit, ssh2Transport, withSession } from '../src/ssh/index.js';
import { BARE_READS, CONCURRENCY } from './work.js';

async function main(inventory: string, outDir: string): Promise<number> {
  const config = await loadConfig({ inventory, policies: 'policies' }, homedir());
  const results = await mapLimit(config.inventory.hosts, CONCURRENCY, (host) =>
    withSession(ssh2Transport, host, DEFAULT_CONNECT_OPTIONS, async (session) => {
      const result = await session.exec(shCommand(BARE_READS, true));
      if (result.code !== 0) throw new Error(`${host.name}: exit ${result.code}: ${result.stderr}`);
      await writeFile(join(outDir, host.name), result.stdout);
    }),
  );
  const failed = results.filter((r) => r.status === 'rejected');
  for (const f of failed) console.error(String((f as PromiseRejectedResult).reason));
  return failed.length === 0 ? 0 : 1;
}

const [inventory, outDir] = process.argv.slice(2);
if (!inventory || !outDir) throw new Error('usage: node bare-reads.js INVENTORY OUTDIR');
process.exitCode = await main(inventory, outDir);
