import { describe, expect, it } from 'vitest';
import { parseFilterTable } from '../../src/facts/iptables.js';
import type { Family, HostFacts } from '../../src/model.js';
import { fleetLines, planHost, renderClear, renderRestore } from '../../src/plan/index.js';
import { facts, host, policy, port, table } from './helpers/facts.js';
import { fixture } from './helpers/fixtures.js';
import { simulateRestore } from './helpers/restore-sim.js';

// test/fixtures/iptables-1.8.9/restore-*: what iptables-restore --noflush really did with each
// input, captured in a scratch namespace. The renderers must write those inputs to the letter, and
// the simulator used by the property tests must do what the kernel did.

const step = (n: number, what: 'input' | 'after' | 'before') => fixture(`iptables-1.8.9/restore-${n}-${what}.txt`);
const saved = (text: string) => parseFilterTable(text);
const nginx1 = [port('nginx1', '80/tcp 0.0.0.0 8080')];
const allowing = (address: string) =>
  policy('office-only', `rules:\n  - container: nginx1\n    port: 80\n    allow: [${address}]\n`);

function planned(filter4: HostFacts['filter4'], address: string) {
  const live = facts({ ports: nginx1, filter4 });
  return { live, plan: planHost(host(['office-only']), [allowing(address)], live) };
}

describe('renderRestore and renderClear write what was proven on the kernel', () => {
  it('first apply: declares FLEET, fills it, and inserts the jump at the top of DOCKER-USER', () => {
    const { live, plan } = planned(saved(step(0, 'before')), '198.18.0.10');
    expect(renderRestore(plan, live, 4)).toBe(step(1, 'input'));
  });

  it('a change of allow list: FLEET is declared again (which flushes it), the jump is left alone', () => {
    const { live, plan } = planned(saved(step(1, 'after')), '198.18.0.11');
    expect(renderRestore(plan, live, 4)).toBe(step(2, 'input'));
  });

  it('clear: removes the jump and the chain', () => {
    expect(renderClear(facts({ filter4: saved(step(2, 'after')) }), 4)).toBe(step(3, 'input'));
  });
});

describe('the restore simulator does what the kernel did', () => {
  it.each([1, 2, 3])('step %i', (n) => {
    const before = saved(n === 1 ? step(0, 'before') : step(n - 1, 'after'));
    expect(simulateRestore(before, step(n, 'input'))).toEqual(saved(step(n, 'after')));
  });
});

describe('renderRestore', () => {
  const rendered = (filter4: HostFacts['filter4'], address = '198.18.0.10', family: Family = 4) => {
    const { live, plan } = planned(filter4, address);
    return renderRestore(plan, live, family);
  };

  it('is null when the live part is as planned', () => {
    expect(rendered(saved(step(1, 'after')))).toBeNull();
  });

  it('is null for IPv6 when ip6tables has no DOCKER-USER', () => {
    expect(rendered(saved(step(1, 'after')), '198.18.0.10', 6)).toBeNull();
  });

  it('drops a second jump and a jump from another chain', () => {
    const live = saved(step(1, 'after'));
    live.rules.push({ chain: 'DOCKER-USER', spec: '-j FLEET' }, { chain: 'FORWARD', spec: '-j FLEET' });
    expect(rendered(live)).toBe([
      '*filter',
      ':FLEET - [0:0]',
      ...fleetLines(saved(step(1, 'after'))),
      '-D FORWARD -j FLEET',
      '-D DOCKER-USER -j FLEET',
      'COMMIT',
      '',
    ].join('\n'));
  });

  it('writes the whole of FLEET again when only the order differs', () => {
    const live = saved(step(1, 'after'));
    live.rules.reverse();
    expect(rendered(live)).toContain(':FLEET - [0:0]\n');
  });
});

describe('renderClear', () => {
  it('is null where fleet has nothing', () => {
    expect(renderClear(facts(), 4)).toBeNull();
    expect(renderClear(facts(), 6)).toBeNull();
  });

  it('removes every jump, wherever it is, before the chain', () => {
    const live = table(['-A DOCKER-USER -j FLEET', '-A FORWARD -j FLEET', '-A FLEET -j RETURN'], ['DOCKER-USER', 'FLEET']);
    const input = renderClear(facts({ filter4: live }), 4);
    expect(input).toBe('*filter\n:FLEET - [0:0]\n-D DOCKER-USER -j FLEET\n-D FORWARD -j FLEET\n-X FLEET\nCOMMIT\n');
    const after = simulateRestore(live, input ?? '');
    expect(after.chains.has('FLEET')).toBe(false);
    expect(after.rules).toEqual([]);
  });
});

describe('fleetLines', () => {
  it('gives the live -A FLEET lines in order', () => {
    expect(fleetLines(saved(step(1, 'after')))).toEqual([
      '-A FLEET -s 198.18.0.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN',
      '-A FLEET -p tcp -m tcp --dport 80 -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with icmp-port-unreachable',
    ]);
  });
});
