// The connect deadline stands still while fleet waits for a person.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Deadline } from '../../src/ssh/deadline.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Deadline', () => {
  it('expires after its time, minus nothing spent paused', () => {
    const expire = vi.fn();
    const deadline = new Deadline(1000, expire);
    vi.advanceTimersByTime(600);
    deadline.pause();
    vi.advanceTimersByTime(5000);
    expect(expire).not.toHaveBeenCalled();
    deadline.resume();
    vi.advanceTimersByTime(399);
    expect(expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledOnce();
  });

  it('stays paused until the last of overlapping pauses ends, and never fires once stopped', () => {
    const expire = vi.fn();
    const deadline = new Deadline(100, expire);
    deadline.pause();
    deadline.pause();
    deadline.resume();
    vi.advanceTimersByTime(500);
    expect(expire).not.toHaveBeenCalled();
    deadline.stop();
    deadline.resume();
    vi.advanceTimersByTime(500);
    expect(expire).not.toHaveBeenCalled();
  });
});
