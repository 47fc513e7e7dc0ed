// A remote script prints several outputs in one stream as sections:
//   @@fleet NAME
//   ...output...
//   @@fleet-rc NAME CODE
// so that one command can read every fact a host has, and the controller can tell them apart.
// The newline printed before the rc line is the delimiter, so a section's output comes back
// byte for byte, with or without its own final newline.

export const MARK = '@@fleet';

export interface Section {
  output: string;
  code: number;
}

/**
 * Shell text that runs `command` as section `name`. `command` is fixed script text; it runs in the
 * script's own shell (a subshell would cost a fork per section on every host), so it must not
 * `exit`: its status is that of its last command, and `rc N` (from SECTION_HELPERS) sets one.
 */
export function section(name: string, command: string): string {
  return `echo '${MARK} ${name}'\n{ ${command}\n}\nprintf '\\n${MARK}-rc ${name} %s\\n' "$?"`;
}

/** Defines `rc N`, which returns status N: a section's way to pass on a status it saved. */
export const SECTION_HELPERS = 'rc() { return "$1"; }';

/** Splits a script's stdout into its sections, by name. Text outside sections is ignored. */
export function splitSections(stdout: string): Map<string, Section> {
  const found = new Map<string, Section>();
  let name: string | undefined;
  let lines: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      name = line.slice(MARK.length + 1);
      lines = [];
    } else if (name !== undefined && line.startsWith(`${MARK}-rc ${name} `)) {
      const code = Number(line.slice(`${MARK}-rc ${name} `.length));
      found.set(name, { output: lines.join('\n'), code });
      name = undefined;
    } else if (name !== undefined) {
      lines.push(line);
    }
  }
  return found;
}
