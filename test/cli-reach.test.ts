// The CLI is reachable as users call it: the built bin keeps its executable bit (npx runs it
// through its shebang), -v/--version/version print the version and --help the commands even
// without the native addon, and a mistyped flag or command gets a did-you-mean hint.
import { execFileSync, spawnSync } from 'node:child_process';
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

  it('is executable after npm run build:ts and runs through its shebang', { timeout: 300_000 }, () => {
    for (const f of ['lib', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'binding.d.ts'])
      fs.cpSync(path.join(root, f), path.join(copy, f), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    execFileSync('npm', ['run', 'build:ts'], { cwd: copy, stdio: 'pipe' });
    const bin = path.join(copy, JSON.parse(fs.readFileSync(path.join(copy, 'package.json'), 'utf8')).bin.nalu);
    expect((fs.statSync(bin).mode & 0o777).toString(8)).toBe('755');
    // The copy has no native addon: --version and --help must not need it.
    const env = { ...process.env };
    delete env.NALU_NATIVE_PATH;
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
    const h = spawnSync(bin, ['--help'], { encoding: 'utf8', env });
    expect(h.status, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/Commands:\n  benchmark, [a-z, ]*train\n\nnalu: could not load the native addon/);
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
