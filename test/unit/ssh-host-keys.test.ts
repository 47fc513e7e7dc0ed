// readKnownHosts keeps the last file it parsed, so it must never answer from it once the file
// reads otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKnownHosts } from '../../src/ssh/host-keys.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIDAhsv5sQ1h8uV4nJ6r0Ur7Ylbb6EqCKFpCVoM2sBy6o';

describe('readKnownHosts', () => {
  it('reads the file again each time, and sees every change to it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fleet-kh-')), 'known_hosts');
    writeFileSync(file, `pi-1 ssh-ed25519 ${KEY}\n`);
    const first = await readKnownHosts(file);
    expect(await readKnownHosts(file)).toBe(first);

    writeFileSync(file, `pi-1 ssh-ed25519 ${KEY}\npi-2 ssh-ed25519 ${KEY}\n`);
    expect((await readKnownHosts(file)).map((e) => e.line)).toEqual([1, 2]);

    rmSync(file);
    expect(await readKnownHosts(file)).toEqual([]);
  });
});
