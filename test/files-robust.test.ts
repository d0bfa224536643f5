// Files that cannot be tricked (issue 17): loadModel never follows a symlink, never blocks on a
// FIFO, never reads past the size it checked, refuses invalid UTF-8; save() fails with NaluError
// SAVE_FAILED naming the path, never leaks temp files, and concurrent saves (aliases, processes,
// SIGKILL) always leave one complete loadable model. (Option round trips: save-options.test.ts.)
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NALU, NaluError, Sequential, loadModel } from '../lib/index';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-robust-'));
let n = 0;
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
  fs.rmSync(root, { recursive: true, force: true });
});

async function saved(seed = 1) {
  const dir = path.join(root, `m${n++}`);
  const m = new Sequential([new NALU({ units: 2, inputDim: 3, seed })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  await m.save(dir);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  return { dir, json, jsonPath: path.join(dir, 'model.json'), weightsPath: path.join(dir, json.weightsManifest[0].paths[0]), model: m };
}

async function rejection(p: Promise<unknown>): Promise<NaluError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(NaluError);
  return err as NaluError;
}

async function badFile(dir: string, pattern: RegExp) {
  const err = await rejection(loadModel(dir));
  expect(err.code).toBe('BAD_FILE');
  expect(err.message).toMatch(pattern);
}

/** Settles within ms, or fails (a load blocked on a FIFO never settles). */
function within<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown }> {
  return Promise.race([
    p.then((value) => ({ value }), (error: unknown) => ({ error })),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)),
  ]);
}

/** Runs `mutate` once, right after the first stat/lstat/fstat whose result is the file `ino`. */
async function afterStatOf(ino: number, mutate: () => void) {
  const fh = await fs.promises.open(__filename, 'r');
  const FileHandle = Object.getPrototypeOf(fh);
  await fh.close();
  let fired = false;
  const spies = [
    [fs.promises, 'stat'],
    [fs.promises, 'lstat'],
    [FileHandle, 'stat'],
  ].map(([obj, name]) => {
    const orig = obj[name];
    return vi.spyOn(obj, name).mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const st = await orig.apply(this, args);
      if (!fired && st.ino === ino) {
        fired = true;
        mutate();
      }
      return st;
    });
  });
  return () => spies.forEach((s) => s.mockRestore());
}

/** Unblocks a reader stuck on a FIFO (the old loadModel) by opening its write end and closing it. */
function unblock(fifo: string) {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
  } catch {
    /* no reader */
  }
}

describe('loadModel cannot be tricked', () => {
  it('never follows a symlink out of the model directory: BAD_FILE naming the path', async () => {
    const a = await saved(1);
    const b = await saved(2);
    // b's weights have the same size: following the link would load b's weights as a's.
    fs.rmSync(a.weightsPath);
    fs.symlinkSync(b.weightsPath, a.weightsPath);
    const err = await rejection(loadModel(a.dir));
    expect(err.code).toBe('BAD_FILE');
    expect(err.message).toContain(a.weightsPath);
    expect(err.message).toMatch(/symbolic link/);
    // model.json itself as a symlink to another model's.
    const c = await saved(3);
    fs.rmSync(c.jsonPath);
    fs.symlinkSync(b.jsonPath, c.jsonPath);
    await badFile(c.dir, /model\.json.*symbolic link/);
    // The directory itself may be a symlink (save and load through it).
    const link = path.join(root, `link${n++}`);
    fs.symlinkSync(b.dir, link);
    await b.model.save(link);
    const back = await loadModel(link);
    expect(back.getWeights()).toEqual(b.model.getWeights());
  });

  it('a FIFO swapped in for model.json or the weights after a stat: settles, never blocks', async () => {
    for (const which of ['jsonPath', 'weightsPath'] as const) {
      const s = await saved();
      const file = s[which];
      const fifo = path.join(s.dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      cleanups.push(() => unblock(file));
      const restore = await afterStatOf(fs.statSync(file).ino, () => fs.renameSync(fifo, file));
      try {
        const r = await within(loadModel(s.dir), 3000);
        // Either the file opened before the swap was read, or the FIFO is refused.
        if (r.error) expect(r.error).toMatchObject({ code: 'BAD_FILE' });
      } finally {
        restore();
        unblock(file);
      }
      // A FIFO there from the start: BAD_FILE at once.
      await badFile(s.dir, /not a regular file/);
    }
  });

  it('weights truncated (or grown) while being read: BAD_FILE, not a RangeError', async () => {
    for (const change of [(f: string) => fs.truncateSync(f, 8), (f: string) => fs.appendFileSync(f, Buffer.alloc(64))]) {
      const s = await saved();
      const restore = await afterStatOf(fs.statSync(s.weightsPath).ino, () => change(s.weightsPath));
      try {
        await badFile(s.dir, new RegExp(`${path.basename(s.weightsPath)}.*(changed|bytes)`));
      } finally {
        restore();
      }
    }
  });

  it('a save completing between reading model.json and opening its weights: the new model loads', async () => {
    const a = await saved(1);
    const b = await saved(2);
    const bWeights = path.join(a.dir, path.basename(b.weightsPath));
    // What a concurrent save does: new weights file, model.json renamed over, old weights removed.
    const restore = await afterStatOf(fs.statSync(a.jsonPath).ino, () => {
      fs.copyFileSync(b.weightsPath, bWeights);
      fs.copyFileSync(b.jsonPath, `${a.jsonPath}.new`);
      fs.renameSync(`${a.jsonPath}.new`, a.jsonPath);
      fs.rmSync(a.weightsPath);
    });
    try {
      const back = await loadModel(a.dir);
      expect(back.getWeights()).toEqual(b.model.getWeights());
    } finally {
      restore();
    }
  });

  it('invalid UTF-8 in model.json: BAD_FILE', async () => {
    const s = await saved();
    const text = fs.readFileSync(s.jsonPath, 'utf8');
    const at = Buffer.from(text.slice(0, text.indexOf('"nalu_') + 1), 'utf8').length;
    const bytes = Buffer.from(text, 'utf8');
    bytes[at] = 0xff; // inside the layer's name
    fs.writeFileSync(s.jsonPath, bytes);
    await badFile(s.dir, /not valid UTF-8/);
  });

  it('a model with no layers, or without inputDim: BAD_FILE', async () => {
    let s = await saved();
    s.json.modelTopology.config.layers = [];
    fs.writeFileSync(s.jsonPath, JSON.stringify(s.json));
    await badFile(s.dir, /no layers/);
    s = await saved();
    delete s.json.modelTopology.config.layers[0].config.inputDim;
    fs.writeFileSync(s.jsonPath, JSON.stringify(s.json));
    await badFile(s.dir, /inputDim/);
  });

  it('a model.json of 5000 layers (more than the native network takes): BAD_FILE, not a raw RangeError', async () => {
    const s = await saved();
    const layer = s.json.modelTopology.config.layers[0];
    s.json.modelTopology.config.layers = [layer, ...Array.from({ length: 4999 }, (_, i) => ({ className: 'NALU', config: { ...layer.config, inputDim: 2, name: `l${i}` } }))];
    delete s.json.trainingConfig;
    // The manifest and weights file of that many layers, so that only the layer count is wrong.
    const first: { shape: number[] }[] = s.json.weightsManifest[0].weights;
    const weights = [...first, ...Array.from({ length: 4999 }, () => first.map((w) => ({ ...w, shape: [2, 2] }))).flat()];
    s.json.weightsManifest[0].weights = weights;
    fs.writeFileSync(s.weightsPath, Buffer.alloc(weights.reduce((a, w) => a + w.shape[0] * w.shape[1] * 4, 0)));
    fs.writeFileSync(s.jsonPath, JSON.stringify(s.json));
    await badFile(s.dir, /bad topology: .*4096 layers, received 5000/);
  });
});

function small(seed = 1) {
  const m = new Sequential([new NALU({ units: 2, inputDim: 3, seed })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

const tempFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.includes('.lock'));

describe('save fails cleanly', () => {
  it('onto an existing file, or under a file: NaluError SAVE_FAILED naming the path', async () => {
    const file = path.join(root, `file${n++}`);
    fs.writeFileSync(file, 'x');
    const m = small();
    for (const dir of [file, path.join(file, 'sub')]) {
      const err = await rejection(m.save(dir));
      expect(err.code).toBe('SAVE_FAILED');
      expect(err.message).toContain(dir);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  // A real full / read-only file system: a 1 MB tmpfs (needs root; skipped otherwise).
  const mnt = path.join(root, 'tmpfs');
  let mounted = false;
  try {
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'ignore' });
    mounted = true;
    cleanups.push(() => execFileSync('umount', ['-l', mnt], { stdio: 'ignore' }));
  } catch {
    /* not root */
  }

  it.skipIf(!mounted)('a full, then read-only file system: SAVE_FAILED, no temp files left, later saves work', async () => {
    const dir = path.join(mnt, 'model');
    // 128 × 1024 NALU: 1.5 MB of weights, more than the file system holds.
    const big = new Sequential([new NALU({ units: 128, inputDim: 1024, seed: 1 })]);
    for (let i = 0; i < 3; i++) {
      const err = await rejection(big.save(dir));
      expect(err.code).toBe('SAVE_FAILED');
      expect(err.message).toContain(dir);
      expect(err.message).toMatch(/ENOSPC/);
      expect(tempFiles(dir)).toEqual([]);
    }
    const m = small();
    await m.save(dir);
    expect((await loadModel(dir)).getWeights()).toEqual(m.getWeights());
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const err = await rejection(small(2).save(dir));
    expect(err.code).toBe('SAVE_FAILED');
    expect(err.message).toMatch(/EROFS/);
    expect((await loadModel(dir)).getWeights()).toEqual(m.getWeights());
    big.dispose();
  });
});

/** The directory holds model.json and one weights file, nothing else. */
function expectOneModel(dir: string) {
  const files = fs.readdirSync(dir).sort();
  expect(files).toHaveLength(2);
  expect(files[0]).toBe('model.json');
  expect(files[1]).toMatch(/^weights-[0-9a-f]{16}\.bin$/);
}

const ROUNDS = Number(process.env.NALU_ROBUST_ROUNDS ?? 0);

describe('concurrent saves leave one complete loadable model', () => {
  it('save(dir) and save(symlink to dir) at once, in one process', async () => {
    const dir = path.join(root, `alias${n++}`);
    const link = path.join(root, `alias-link${n++}`);
    fs.mkdirSync(dir);
    fs.symlinkSync(dir, link);
    const a = small(1);
    const b = small(2);
    let failures = 0;
    const rounds = ROUNDS || 40;
    for (let r = 0; r < rounds; r++) {
      for (const m of [a, b]) m.setWeights(m.getWeights().map((w) => ({ data: w.data.map((v) => v + 1e-3), shape: w.shape })));
      const ok = await Promise.all([a.save(dir), b.save(link)]).then(() => true, () => false);
      // The second call ran last: its model is the one on disk.
      const back = await loadModel(dir).catch(() => null);
      if (!ok || !back || JSON.stringify(back.getWeights()) !== JSON.stringify(b.getWeights())) failures++;
      back?.dispose();
    }
    if (ROUNDS) console.log(`alias saves: ${failures} of ${rounds} rounds left a bad model`);
    expect(failures).toBe(0);
    expectOneModel(dir);
  });

  it('two processes saving one directory, SIGKILLed: loadable every round; the next save cleans up', async () => {
    const dir = path.join(root, `procs${n++}`);
    const fixture = path.join(__dirname, 'fixtures', 'save-child.ts');
    let failures = 0;
    const rounds = ROUNDS || 6;
    for (let r = 0; r < rounds; r++) {
      const children = [1, 2].map((seed) => spawn(process.execPath, ['--import', 'tsx', fixture, dir, String(seed + r)], { stdio: ['ignore', 'pipe', 'inherit'] }));
      await Promise.all(children.map((c) => new Promise<void>((resolve) => c.stdout!.once('data', () => resolve()))));
      await new Promise((res) => setTimeout(res, 15 + ((r * 53) % 150)));
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(children.map((c) => new Promise((res) => (c.exitCode !== null || c.signalCode !== null ? res(null) : c.once('exit', res)))));
      const m = await loadModel(dir).catch(() => null);
      if (!m || m.getWeights()[0].shape[0] !== 256) failures++;
      m?.dispose();
    }
    const leftovers = tempFiles(dir).length;
    if (ROUNDS) console.log(`two processes: ${failures} of ${rounds} rounds left a bad model; ${leftovers} temp/lock files after the kills`);
    expect(failures).toBe(0);
    // One more save (a stale lock and temp files of killed processes are left) cleans them.
    const m = small();
    await within(m.save(dir), 20_000);
    expectOneModel(dir);
    expect((await loadModel(dir)).getWeights()).toEqual(m.getWeights());
  }, 60_000);
});
