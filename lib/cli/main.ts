#!/usr/bin/env node
// The `nalu` command: dispatches to one file per command. Bad flags exit with code 2.
import { UsageError, type Command } from './args';
import { benchmarkCommand } from './benchmark';
import { exportCommand } from './export';
import { summaryCommand } from './summary';
import { sweepCommand } from './sweep';
import { trainCommand } from './train';

function commands(): Command[] {
  return [benchmarkCommand, exportCommand, summaryCommand, sweepCommand, trainCommand];
}

const names = ['benchmark', 'export', 'summary', 'sweep', 'train'];

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

function help(): string {
  const list = commands()
    .map((c) => `  ${c.name.padEnd(11)}${c.summary}`)
    .join('\n');
  return `Usage: nalu <command> [options]

Neural arithmetic units: the arithmetic benchmark of Madsen & Johansen (ICLR 2020) and
Mistry et al. (2021), run natively.

Commands:
${list}

Options:
  -h, --help   this help (and \`nalu <command> --help\` for a command's options)
  --version    the package version

Run \`npm start\` for the quick benchmark (nalu benchmark --preset quick).
`;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      if (cmd === 'help' && rest[0] && names.includes(rest[0])) return await commands().find((c) => c.name === rest[0])!.run(['--help']);
      process.stdout.write(help());
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === '--version') {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    if (!names.includes(cmd)) throw new UsageError(`unknown command '${cmd}', expected one of ${names.join(', ')}`);
    return await commands().find((c) => c.name === cmd)!.run(rest);
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
