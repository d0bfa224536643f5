// Shared pieces of the CLI commands: argument parsing on node:util parseArgs, usage errors
// (exit code 2), and value parsers that name the flag, what was expected and what was received.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Registry } from '../registry';

/** A bad command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Command {
  name: string;
  summary: string;
  help(): string;
  /** Resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict checking; its errors become UsageErrors. No positional arguments. */
export function parse(argv: string[], options: Options): Record<string, string | boolean | undefined> {
  const { values, positionals } = parseWithPositionals(argv, options);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  return values;
}

/** parse, also returning the positional arguments. */
export function parseWithPositionals(
  argv: string[],
  options: Options,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    // Node's messages name the flag ("Unknown option '--x'", "Option '--seeds <value>' argument missing").
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** A number flag: accepts 5e6, 1_000_000 is refused; integer and bounds checked. */
export function num(v: string | boolean | undefined, flag: string, def: number, lo: number, hi: number, integer = false): number {
  if (v === undefined) return def;
  const s = String(v).trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag}: expected ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], received '${s}'`);
  return n;
}

/** A comma-separated list of registry names, each checked (the error lists the valid ones). */
export function list<T>(v: string | boolean | undefined, flag: string, def: string[], choices: string[]): string[] {
  const items = v === undefined ? def : String(v).split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list of ${choices.join(', ')}`);
  for (const it of items)
    if (!choices.includes(it)) throw new UsageError(`--${flag}: unknown value '${it}', expected one of ${choices.join(', ')}`);
  return [...new Set(items)];
}

export function choice<T>(v: string | boolean | undefined, flag: string, def: string, registry: Registry<T>): string {
  const s = v === undefined ? def : String(v);
  if (!registry.has(s)) throw new UsageError(`--${flag}: unknown value '${s}', expected one of ${registry.names().join(', ')}`);
  return s;
}

/** Wraps text at 100 columns with an indent, for --help. */
export function wrap(text: string, indent: number, width = 100): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i ? ' '.repeat(indent) : '') + l).join('\n');
}

/** Help lines for flags: [flag, description] pairs aligned. */
export function flagHelp(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, d]) => `  ${f.padEnd(w)}${wrap(d, w + 2)}`).join('\n');
}
