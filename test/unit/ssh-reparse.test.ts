// Files read on every connection are parsed again only when their text changed.
import { describe, expect, it } from 'vitest';
import { parsedWhileUnchanged } from '../../src/ssh/reparse.js';

describe('parsedWhileUnchanged', () => {
  it('parses a file once while it reads the same, and again when it changes', () => {
    const seen: string[] = [];
    const parse = parsedWhileUnchanged((text, file) => {
      seen.push(`${file}: ${text}`);
      return text.split(' ');
    });
    const first = parse('a', 'one two');
    expect(parse('a', 'one two')).toBe(first);
    expect(parse('b', 'one two')).toEqual(['one', 'two']);
    expect(parse('a', 'three')).toEqual(['three']);
    expect(seen).toEqual(['a: one two', 'b: one two', 'a: three']);
  });
});
