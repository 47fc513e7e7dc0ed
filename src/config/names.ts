// The one grammar for names that fleet reads from files: Docker's own container name grammar.
// Names can end up in remote commands and file names, so nothing else gets through.

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function isName(text: string): boolean {
  return NAME.test(text) && text.length <= 128;
}

export const NAME_RULE = 'use letters, digits, `_`, `.` and `-`, starting with a letter or digit';
