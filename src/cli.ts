#!/usr/bin/env node
import { Command } from 'commander';

export function buildProgram(): Command {
  const program = new Command('fleet')
    .description('Decide which computers may reach which Docker containers, over plain SSH')
    .version('0.1.0');
  return program;
}

buildProgram().parse(process.argv);
