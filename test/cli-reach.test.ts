// The CLI is reachable as users call it: the built bin keeps its executable bit (npx runs it
// through its shebang, in the clone and from a packed tarball), -v/--version/version print the
// version and --help the commands even without the native addon, output piped into a reader
// that closes early ends quietly, and a mistyped flag or command gets a did-you-mean hint.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { didYouMean } from '../lib/cli/args';
import { main } from '../lib/cli/main';

const root = path.resolve(__dirname, '..');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;

describe('the built bin', () => {
  // build-ts.js deletes dist/ first: it runs on a copy, so other test files keep theirs.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-build-'));
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));
  // The copy has no native addon: --version and --help must not need it.
  const env = { ...process.env };
  delete env.NALU_NATIVE_PATH;

  it('is executable after npm run build:ts and runs through its shebang', { timeout: 300_000 }, () => {
    for (const f of ['lib', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'binding.d.ts'])
      fs.cpSync(path.join(root, f), path.join(copy, f), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    execFileSync('npm', ['run', 'build:ts'], { cwd: copy, stdio: 'pipe' });
    const bin = path.join(copy, JSON.parse(fs.readFileSync(path.join(copy, 'package.json'), 'utf8')).bin.nalu);
    expect((fs.statSync(bin).mode & 0o777).toString(8)).toBe('755');
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    const h = spawnSync(bin, ['--help'], { encoding: 'utf8', env });
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/Commands:\n  benchmark, [a-z, -]*train\n\nnalu: could not load the native addon/);
  });

  it('runs as npx nalu --help in a project that installed the packed tarball offline', { timeout: 300_000 }, () => {
    // The copy's dist/ is the test above's. --ignore-scripts on both sides: prepack's prebuilds need
    // the arm64 cross toolchain, and the install script would build the (absent) addon from source.
    for (const f of ['README.md', 'LICENSE', 'experiments']) fs.cpSync(path.join(root, f), path.join(copy, f), { recursive: true });
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', copy], { cwd: copy, encoding: 'utf8' }));
    const app = path.join(copy, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(copy, packed[0].filename)], { cwd: app, stdio: 'pipe' });
    const bin = path.join(app, 'node_modules', 'nalu', 'dist', 'cjs', 'cli', 'main.js');
    expect((fs.statSync(bin).mode & 0o777).toString(8)).toBe('755');
    const h = spawnSync('npx', ['--no-install', 'nalu', '--help'], { cwd: app, encoding: 'utf8', env });
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/^Usage: nalu <command>[\s\S]*Commands:\n  benchmark, [a-z, -]*train\n/);
    const v = spawnSync('npx', ['--no-install', 'nalu', '--version'], { cwd: app, encoding: 'utf8', env });
    expect(v.stdout.trim()).toBe(version);
  });
});

describe('a reader that closes early', () => {
  it('ends nalu quietly with status 0, as nalu benchmark --dry-run | head -1', { timeout: 120_000 }, async () => {
    // Thousands of lines: far more than a pipe holds, so writes go on after the reader has gone.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib', 'cli', 'main.ts'), 'benchmark', 'madsen2020-table1', '--dry-run'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first = '';
    let err = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    const status = await new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
    expect(first).toMatch(/^\{"task":"static"/);
    expect(err).toBe('');
    expect(status).toBe(0);
  });
});

describe('nalu version and hints', () => {
  let out = '';
  let err = '';
  beforeEach(() => {
    out = err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(['-v', '--version', 'version'])('nalu %s prints the version', async (flag) => {
    expect(await main([flag])).toBe(0);
    expect(out).toBe(`${version}\n`);
  });

  it('hints at the flags close to an unknown one', async () => {
    expect(await main(['benchmark', '--seed', '3'])).toBe(2);
    expect(err).toMatch(/Unknown option '--seed', did you mean --seeds or --first-seed\?/);
    err = '';
    expect(await main(['benchmark', '--iteration=100'])).toBe(2);
    expect(err).toMatch(/Unknown option '--iteration', did you mean --iterations\?/);
    err = '';
    expect(await main(['summary', 'x.jsonl', '--compar', 'madsen2020'])).toBe(2);
    expect(err).toMatch(/did you mean --compare\?/);
    err = '';
    // Nothing close: no hint, the pointer to --help.
    expect(await main(['train', '--frobnicate'])).toBe(2);
    expect(err).toMatch(/Unknown option '--frobnicate'\nRun 'nalu train --help'/);
  });

  it('hints at the command close to an unknown one', async () => {
    expect(await main(['bench'])).toBe(2);
    expect(err).toMatch(/unknown command 'bench', did you mean benchmark\?/);
    err = '';
    expect(await main(['sumary'])).toBe(2);
    expect(err).toMatch(/did you mean summary\?/);
    err = '';
    expect(await main(['--verison'])).toBe(2);
    expect(err).toMatch(/did you mean --version\?/);
  });

  it('didYouMean: near by edits or by containment, at most three, closest first', () => {
    expect(didYouMean('seed', ['seeds', 'first-seed', 'ops'], '--')).toBe(', did you mean --seeds or --first-seed?');
    expect(didYouMean('modles', ['models', 'model', 'ops'])).toBe(', did you mean models or model?');
    expect(didYouMean('zzz', ['models', 'ops'])).toBe('');
    expect(didYouMean('a', ['ab', 'ac', 'ad', 'ae']).match(/ab|ac|ad|ae/g)).toHaveLength(3);
  });
});
