// mapLimit and withSession: bounded, ordered, and no host's failure stops another.
import { describe, expect, it } from 'vitest';

import { FakeTransport } from '../../src/ssh/fake.js';
import { DEFAULT_CONNECT_OPTIONS } from '../../src/ssh/transport.js';
import { mapLimit, withSession } from '../../src/ssh/pool.js';
import { hostSpec } from '../ssh-support/fixture.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimit', () => {
  it('keeps the order of the items, not of finishing', async () => {
    const results = await mapLimit([30, 10, 20], 3, async (ms) => {
      await tick(ms);
      return ms;
    });
    expect(results.map((r) => r.status === 'fulfilled' && r.value)).toEqual([30, 10, 20]);
  });

  it('runs no more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    await mapLimit(
      Array.from({ length: 10 }, (_, i) => i),
      3,
      async () => {
        most = Math.max(most, ++running);
        await tick(5);
        running--;
      },
    );
    expect(most).toBe(3);
  });

  it('gives each item its result or its error, and finishes every item', async () => {
    const done: number[] = [];
    const results = await mapLimit([1, 2, 3, 4], 2, async (n) => {
      if (n === 1) throw new Error('one failed');
      if (n === 2) throw 'not even an Error';
      await tick(5);
      done.push(n);
      return n * 10;
    });
    expect(done).toEqual([3, 4]);
    expect(results).toEqual([
      { status: 'rejected', reason: new Error('one failed') },
      { status: 'rejected', reason: 'not even an Error' },
      { status: 'fulfilled', value: 30 },
      { status: 'fulfilled', value: 40 },
    ]);
  });

  it('passes the index, takes an empty list, and treats a limit below 1 as 1', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    const results = await mapLimit(['a', 'b'], 0, async (item, i) => `${item}${i}`);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a0' },
      { status: 'fulfilled', value: 'b1' },
    ]);
  });
});

describe('withSession', () => {
  it('closes the session when the work fails', async () => {
    const transport = new FakeTransport({ 'pi-test': { replies: [['true', { code: 0 }]] } });
    const host = hostSpec(22, '/dev/null');
    const work = withSession(transport, host, DEFAULT_CONNECT_OPTIONS, async (session) => {
      await session.exec('true');
      throw new Error('work failed');
    });
    await expect(work).rejects.toThrow('work failed');
    expect(transport.openSessions).toBe(0);
  });
});
