// Working on many hosts at once, a few at a time, where one host's failure stops no other.
import type { HostSpec } from '../model.js';
import type { ConnectOptions, Session, Transport } from './transport.js';

/**
 * Runs fn on every item, at most `limit` at a time. Never rejects: each item gets its own
 * result or error, in the order of `items`.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/** Connects, runs fn, and closes the session whatever fn did. */
export async function withSession<R>(
  transport: Transport,
  host: HostSpec,
  opts: ConnectOptions,
  fn: (session: Session) => Promise<R>,
): Promise<R> {
  const session = await transport.connect(host, opts);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
