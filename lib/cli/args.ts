// Shared pieces of the CLI commands: argument parsing on node:util parseArgs, usage errors
// (exit code 2), and value parsers that name the flag, what was expected and what was received.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { editDistance } from '../options';
import type { Registry } from '../registry';
import { trainingSettingLimits, type TrainingSettings } from '../tasks/arithmetic';

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
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const unknown = /^Unknown option '--([^'=]+)/.exec(message);
    throw new UsageError(unknown ? message + didYouMean(unknown[1], Object.keys(options), '--') : message);
  }
}

/**
 * A hint naming the candidates close to a mistyped word (", did you mean --seeds or --first-seed?"),
 * or '': those within a third of its length in edits, or that contain it or are contained in it.
 */
export function didYouMean(word: string, candidates: string[], prefix = ''): string {
  const w = word.toLowerCase();
  const near = candidates
    .map((c) => ({ c, d: editDistance(w, c.toLowerCase()) }))
    .filter(({ c, d }) => d <= Math.max(1, Math.floor(w.length / 3)) || (w.length >= 3 && (c.includes(w) || w.includes(c))))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ c }) => prefix + c);
  if (!near.length) return '';
  return `, did you mean ${near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near.at(-1)}`}?`;
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
export function list(v: string | boolean | undefined, flag: string, def: string[], choices: string[]): string[] {
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

/** The training-setting flags of benchmark and train: flag, setting, help. */
const settingFlags: [string, keyof TrainingSettings, string][] = [
  ['learning-rate', 'learningRate', "Adam learning rate (default: the model's paper's, mostly 1e-3)"],
  ['sparsity-lambda', 'sparsityLambda', "sparsity regularizer λ̂ of the models that have one (default: the model's; NAU 0.01, NMU 10)"],
  ['sparsity-start', 'sparsityStart', "step where its linear warm-up starts (default: the model's; scaled to a run too short to reach it; must be < --iterations)"],
  ['sparsity-end', 'sparsityEnd', "step where it reaches λ̂ (default: the model's)"],
  ['clip-norm', 'clipNorm', "clip the gradients' global norm to X (default: the model's, mostly none)"],
  ['clip-value', 'clipValue', "clip each gradient element to ±X (default: the model's, mostly none)"],
  ['l1-start', 'l1Start', "NPU/RealNPU L1 penalty β at step 0, ×10 every 10⁴ steps (default: the model's; 1e-7, ÷ 1e-9)"],
  ['l1-end', 'l1End', "where β stops growing (default: the model's; 1e-5, ÷ 1e-7)"],
];

/** parseArgs options of the setting flags. */
export const settingOptions: Options = Object.fromEntries(settingFlags.map(([flag]) => [flag, { type: 'string' as const }]));

/** --help rows of the setting flags. */
export const settingHelp: [string, string][] = settingFlags.map(([flag, , text]) => [`--${flag} X`, text]);

/** The settings given on the command line (absent flags are absent keys). */
export function parseSettings(v: Record<string, string | boolean | undefined>): Partial<TrainingSettings> {
  const given: Partial<TrainingSettings> = {};
  for (const [flag, key] of settingFlags) if (v[flag] !== undefined) given[key] = num(v[flag], flag, 0, 0, trainingSettingLimits[key]);
  return given;
}

/**
 * Checks an output file before any work is done: its folder exists and is writable, and the path
 * is absent or a regular file (a FIFO or device would block or never end, a directory cannot be written).
 */
export function outputFile(v: string | boolean | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  const file = path.resolve(String(v));
  const dir = path.dirname(file);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    /* absent: fine */
  }
  if (st && !st.isFile()) throw new UsageError(`--${flag}: ${file} is not a regular file (${st.isDirectory() ? 'a directory' : 'a FIFO, socket or device'})`);
  writableFolder(dir, flag);
  if (st) {
    try {
      fs.accessSync(file, fs.constants.W_OK);
    } catch {
      throw new UsageError(`--${flag}: ${file} is not writable`);
    }
  }
  return file;
}

/** Checks an output directory before any work is done: absent or a directory, in a writable folder. */
export function outputDir(v: string, flag: string): string {
  const dir = path.resolve(v);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    /* absent: fine */
  }
  if (st && !st.isDirectory()) throw new UsageError(`--${flag}: ${dir} exists and is not a directory`);
  writableFolder(st ? dir : path.dirname(dir), flag);
  return dir;
}

function writableFolder(dir: string, flag: string) {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UsageError(`--${flag}: folder ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new UsageError(`--${flag}: ${dir} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`--${flag}: folder ${dir} is not writable`);
  }
}
