#!/usr/bin/env node
// The `nalu` command: dispatches to one file per command. Bad flags exit with code 2.
import type { Command } from './args';

// Loaded on use: they load the native addon, which --help and --version must not need.
const loaders: Record<string, () => Promise<Command>> = {
  benchmark: async () => (await import('./benchmark')).benchmarkCommand,
  discover: async () => (await import('./discover')).discoverCommand,
  export: async () => (await import('./export')).exportCommand,
  'sequential-mnist': async () => (await import('./sequential-mnist')).sequentialMnistCommand,
  summary: async () => (await import('./summary')).summaryCommand,
  sweep: async () => (await import('./sweep')).sweepCommand,
  train: async () => (await import('./train')).trainCommand,
};
const names = Object.keys(loaders);

/** The version in nalu's package.json (found upwards: lib/cli from source, dist/cjs/cli built). */
function packageVersion(): string {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pj.name === 'nalu') return pj.version;
    } catch {
      /* not here */
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

async function help(): Promise<string> {
  let list: string;
  try {
    const commands = await Promise.all(names.map((n) => loaders[n]()));
    const width = Math.max(...commands.map((c) => c.name.length)) + 2;
    list = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
  } catch (e) {
    // A missing or broken addon: the commands by name, and why they cannot run.
    list = `  ${names.join(', ')}\n\n${String((e as Error).message)}`;
  }
  return `Usage: nalu <command> [options]

Neural arithmetic units: the arithmetic benchmark of Madsen & Johansen (ICLR 2020) and
Mistry et al. (2021), run natively.

Commands:
${list}

Options:
  -h, --help      this help (and \`nalu <command> --help\` for a command's options)
  -v, --version   the package version (also \`nalu version\`)

Run \`npm start\` for the quick benchmark (nalu benchmark --preset quick).
`;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || (cmd === 'help' && !names.includes(rest[0]))) {
    process.stdout.write(await help());
    return cmd === undefined ? 2 : 0;
  }
  const { UsageError, didYouMean } = await import('./args');
  try {
    if (cmd === 'help') return await (await loaders[rest[0]]()).run(['--help']);
    if (!names.includes(cmd)) {
      const hint = cmd.startsWith('-') ? didYouMean(cmd.replace(/^-+/, ''), ['help', 'version'], '--') : didYouMean(cmd, [...names, 'help', 'version']);
      throw new UsageError(`unknown command '${cmd}'${hint} (expected one of ${names.join(', ')})`);
    }
    return await (await loaders[cmd]()).run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`nalu${cmd && names.includes(cmd) ? ` ${cmd}` : ''}: ${e.message}\nRun 'nalu ${cmd && names.includes(cmd) ? `${cmd} ` : ''}--help' for the options.\n`);
      return 2;
    }
    // Argument errors from the library are the user's too (bad ranges, unknown names…).
    if (e instanceof RangeError || e instanceof TypeError) {
      process.stderr.write(`nalu ${cmd}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  // A reader that closed early (nalu … | head -1) ends the command quietly, as coreutils do.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(0);
    });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`nalu: ${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
