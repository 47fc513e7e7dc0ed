import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quote, remoteScript, shCommand } from '../../src/remote/shell.js';
import { section, SECTION_HELPERS, splitSections } from '../../src/remote/sections.js';

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });

describe('quote', () => {
  const nasty = ["it's", '$(touch /tmp/x)', '`id`', 'a b\tc\nd', '"', '\\', '', '*', '-A FLEET -j RETURN'];
  it.each(nasty)('passes %j to the shell as one literal word', (value) => {
    expect(sh(`printf '%s|' ${quote(value)}`)).toBe(`${value}|`);
  });

  it('leaves plain words alone, so commands stay readable', () => {
    expect(quote('/etc/iptables/rules.v4')).toBe('/etc/iptables/rules.v4');
  });
});

describe('shCommand', () => {
  it('wraps the script in sudo -n only when asked', () => {
    expect(shCommand('echo hi', false)).toBe("sh -c 'echo hi'");
    expect(shCommand('echo hi', true)).toBe("sudo -n sh -c 'echo hi'");
  });
});

describe('remoteScript', () => {
  const run = (script: string) => {
    const { command, stdin } = remoteScript(script, false);
    return execFileSync('sh', ['-c', command], { input: stdin, encoding: 'utf8' });
  };

  it('runs a script from stdin, which none of its commands can read', () => {
    expect(run("echo one\ncat\necho two\n")).toBe('one\ntwo\n');
  });

  // sshd hands the command to the login user's shell. The script itself must never pass
  // through it: a multi-line quoted argument is a syntax error in tcsh, which then runs the
  // pieces it can parse as commands of its own.
  it.each(['bash', 'dash', 'zsh', 'fish', 'tcsh'])('reaches sh unchanged through a %s login shell', (login) => {
    const script = `printf '%s\\n' "it's" '$HOME' "\\\\ \\n" 'a!b'\nx=$(echo two); echo "$x"\n`;
    const { command, stdin } = remoteScript(script, false);
    // A home of its own, for what a shell writes there on its first run (fish does).
    const home = mkdtempSync(join(tmpdir(), 'fleet-login-'));
    try {
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home };
      const viaLogin = execFileSync(login, ['-c', command], { input: stdin, encoding: 'utf8', env });
      expect(viaLogin).toBe(execFileSync('sh', ['-c', script], { encoding: 'utf8', env }));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('runs a script longer than one command-line argument may be (128 KiB)', () => {
    const big = `x=${quote('y'.repeat(200 * 1024))}\necho \${#x}\n`;
    expect(run(big)).toBe(`${200 * 1024}\n`);
  });
});

describe('sections', () => {
  it('returns each section byte for byte with its exit code', () => {
    const script = [
      section('a', "printf 'one\\ntwo\\n'"),
      section('b', "printf 'no newline'"),
      section('c', 'false'),
      section('d', 'rc 7'),
      section('e', 'echo after a status set in an earlier section'),
    ].join('\n');
    const found = splitSections(sh(`${SECTION_HELPERS}\n${script}`));
    expect(found.get('a')).toEqual({ output: 'one\ntwo\n', code: 0 });
    expect(found.get('b')).toEqual({ output: 'no newline', code: 0 });
    expect(found.get('c')).toEqual({ output: '', code: 1 });
    expect(found.get('d')).toEqual({ output: '', code: 7 });
    expect(found.get('e')?.output).toBe('after a status set in an earlier section\n');
  });

  it('does not take a section that never finished', () => {
    expect(splitSections("@@fleet a\npartial\n").has('a')).toBe(false);
  });
});
