import { describe, expect, it } from 'vitest';
import { parseFilterTable } from '../../src/facts/iptables.js';
import { fixture } from './helpers/fixtures.js';

describe('parseFilterTable', () => {
  it('reads the filter table of Docker 20.10 (lab1), chains and rules in printed order', () => {
    const table = parseFilterTable(fixture('docker-20.10/iptables-save-filter.txt'));
    expect([...table.chains]).toEqual([
      ['INPUT', 'ACCEPT'], ['FORWARD', 'DROP'], ['OUTPUT', 'ACCEPT'], ['DOCKER', '-'],
      ['DOCKER-ISOLATION-STAGE-1', '-'], ['DOCKER-ISOLATION-STAGE-2', '-'], ['DOCKER-USER', '-'],
    ]);
    expect(table.rules).toHaveLength(25);
    expect(table.rules[0]).toEqual({ chain: 'FORWARD', spec: '-j DOCKER-USER' });
    expect(table.rules.at(-1)).toEqual({ chain: 'DOCKER-USER', spec: '-j RETURN' });
  });

  it('takes only *filter from the full iptables-save, whatever the other tables hold', () => {
    const full = parseFilterTable(fixture('docker-20.10/iptables-save.txt'));
    expect(full).toEqual(parseFilterTable(fixture('docker-20.10/iptables-save-filter.txt')));
  });

  it('keeps the packet counters printed by -c apart from the rule, which compares as without', () => {
    const plain = parseFilterTable(fixture('iptables-1.8.9/forms-v4.txt'));
    const counted = parseFilterTable(fixture('iptables-1.8.9/forms-v4-counters.txt'));
    expect(counted.rules.map(({ chain, spec }) => ({ chain, spec }))).toEqual(plain.rules);
    expect(counted.rules.every((r) => r.packets === 0)).toBe(true);
    expect(plain.rules.every((r) => r.packets === undefined)).toBe(true);
    expect(plain.rules[2]).toEqual({
      chain: 'FLEET',
      spec: '-s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN',
    });
  });

  it('reads the Docker 28 layout: DOCKER-FORWARD, and a DOCKER-USER with no rules', () => {
    const table = parseFilterTable(fixture('docker-28/iptables-save.txt'));
    expect(table.chains.get('DOCKER-FORWARD')).toBe('-');
    expect(table.rules.filter((r) => r.chain === 'DOCKER-USER')).toEqual([]);
    expect(table.rules.filter((r) => r.chain === 'FORWARD').map((r) => r.spec)).toEqual([
      '-j DOCKER-USER', '-j DOCKER-FORWARD',
    ]);
  });

  it('gives a table without chains for output with no filter table (ip6tables unused)', () => {
    const table = parseFilterTable(fixture('docker-20.10/ip6tables-save.txt'));
    expect(table.chains.size).toBe(0);
    expect(table.rules).toEqual([]);
  });

  it('keeps a rule with no match and no target', () => {
    expect(parseFilterTable('*filter\n:X - [0:0]\n-A X\nCOMMIT\n').rules).toEqual([{ chain: 'X', spec: '' }]);
  });

  it('refuses a line it does not understand, naming it', () => {
    expect(() => parseFilterTable('*filter\n-I X 1 -j ACCEPT\nCOMMIT\n')).toThrow(
      'iptables-save line 2 is not a chain or a rule: -I X 1 -j ACCEPT',
    );
  });
});
