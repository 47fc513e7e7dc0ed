#!/usr/bin/env node
// The `fleet` executable: real terminal, real SSH. Everything else lives in main.ts.
import { homedir } from 'node:os';
import { main } from './main.js';
import { ssh2Transport } from './ssh/index.js';
import { ask, askSecret } from './tty.js';

const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
const code = await main(process.argv.slice(2), {
  transport: ssh2Transport,
  io: {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    interactive,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    ask,
    askSecret,
    env: process.env,
    home: homedir(),
  },
});
process.exitCode = code;
