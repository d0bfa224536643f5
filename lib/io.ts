// save/loadModel: model.json (topology, training config, weights manifest) + one weights file.
//
// save: the weights file is named by its content hash and written before model.json, each through
// a temp file (unique per save: pid, counter, random) + fsync + rename, so model.json always names
// a complete weights file. A save holds the directory's lock (.nalu-save.lock, created O_EXCL,
// holding pid, host and a random token; stale when its pid is dead or it was not refreshed for a
// minute) from before its first write until it has removed the weights files model.json no longer
// names and the temp files of killed or failed saves. In one process, saves to one directory (by
// realpath, so aliases count as one) run one after another, in call order. Every failure is a
// NaluError SAVE_FAILED naming the path; a failed save removes its temp files.
//
// loadModel: every file is opened with O_NOFOLLOW | O_NONBLOCK (a symlink is refused, a FIFO never
// blocks), checked with fstat on the open fd (regular file, size), read up to that size only and
// refused if it changed meanwhile; model.json must be valid UTF-8.
//
// JSON has no Infinity: in model.json (as in getConfig) an option that is Infinity is null
// (clipExp, clipNorm, clipValue); a kernelConstraint side that is unbounded is left out.
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NaluError } from './errors';
import { deserializeLayer } from './layers';
import { getLoss } from './losses';
import { Sequential, type Metric } from './model';
import { getOptimizer } from './optimizers';
import type { Serialized } from './registry';

export const FORMAT = 'nalu-model';
export const FORMAT_VERSION = 1;
const MAX_JSON_BYTES = 16 << 20;

interface ModelJson {
  format: string;
  formatVersion: number;
  modelTopology: { className: 'Sequential'; config: { name: string; layers: Serialized[] } };
  trainingConfig: { optimizer: Serialized; loss: Serialized; metrics?: string[] } | null;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
}

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const LOCK = '.nalu-save.lock';
/** A lock or temp file untouched for this long belongs to a dead save. */
const STALE_MS = 60_000;
/** How often a save refreshes its lock's mtime. */
const REFRESH_MS = 5_000;
/** Temp files of saves (this version's and the previous `file.pid.ms.tmp`), new and moved-aside locks. */
const TEMP_RE = /^(?:model\.json|weights-[0-9a-f]{16}\.bin)\.(\d+)\.\d+(?:\.[0-9a-f]+)?\.tmp$|^\.nalu-save\.lock\.(\d+)\.\d+\.[0-9a-f]+\.(?:stale|new)$/;
const WEIGHTS_RE = /^weights-[0-9a-f]{16}\.bin$/;
let counter = 0;

function uniqueSuffix(): string {
  return `${process.pid}.${++counter}.${randomBytes(6).toString('hex')}`;
}

function saveFailed(dir: string, what: string, e?: unknown): NaluError {
  if (e instanceof NaluError) return e;
  const why = e === undefined ? '' : `: ${e instanceof Error ? e.message : String(e)}`;
  return new NaluError(`save(${JSON.stringify(dir)}): ${what}${why}`, 'SAVE_FAILED');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes file through a unique temp file (in `temps` until renamed) + fsync + rename. */
async function writeAtomic(file: string, data: Uint8Array | string, temps: Set<string>): Promise<void> {
  const tmp = `${file}.${uniqueSuffix()}.tmp`;
  temps.add(tmp);
  const fh = await fs.open(tmp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
  temps.delete(tmp);
}

/**
 * Writes one file atomically (temp file + fsync + rename), removing the temp file on failure. @internal
 * @throws (rejects) NaluError SAVE_FAILED naming `what` and the file.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, what: string): Promise<void> {
  const temps = new Set<string>();
  try {
    await writeAtomic(file, data, temps);
  } catch (e) {
    await Promise.all([...temps].map((t) => fs.rm(t, { force: true }).catch(() => undefined)));
    throw new NaluError(`${what}(${JSON.stringify(file)}): ${(e as Error).message}`, 'SAVE_FAILED');
  }
}

async function syncDir(dir: string) {
  try {
    const fh = await fs.open(dir, 'r');
    await fh.sync().finally(() => fh.close());
  } catch {
    /* not supported on every platform */
  }
}

/** mkdir -p (fs.mkdir's recursive mode spins forever under /proc on Linux). */
async function mkdirp(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && path.dirname(dir) !== dir) {
      await mkdirp(path.dirname(dir));
      try {
        await fs.mkdir(dir);
        return;
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
      }
    } else if (code !== 'EEXIST') throw e;
  }
  if (!(await fs.stat(dir)).isDirectory()) throw new Error(`${dir} exists and is not a directory`);
}

/** The realpath of p, or of its deepest existing ancestor joined with the rest. */
async function realKey(p: string): Promise<string> {
  const abs = path.resolve(p);
  try {
    return await fs.realpath(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(await realKey(parent), path.basename(abs));
  }
}

interface Lock {
  owned(): Promise<boolean>;
  release(): Promise<void>;
}

/** True when the lock file is gone, or was stale and has been removed: try to take it again. */
async function breakStale(file: string): Promise<boolean> {
  let st: Stats, text: string;
  try {
    st = await fs.stat(file);
    text = await fs.readFile(file, 'utf8');
  } catch {
    return true;
  }
  const [pid, host] = text.split(' ');
  const dead = host === os.hostname() && /^\d+$/.test(pid) && !alive(Number(pid));
  if (!dead && Date.now() - st.mtimeMs < STALE_MS) return false;
  // Move it aside (atomic), then check that what moved is the lock judged stale: another save may
  // have broken it and taken a new one in between; that one is put back.
  const aside = `${file}.${uniqueSuffix()}.stale`;
  try {
    await fs.rename(file, aside);
  } catch {
    return true;
  }
  if ((await fs.readFile(aside, 'utf8').catch(() => null)) !== text) await fs.link(aside, file).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return true;
}

async function acquire(dir: string, real: string): Promise<Lock> {
  const file = path.join(real, LOCK);
  const token = `${process.pid} ${os.hostname()} ${randomBytes(12).toString('hex')}`;
  // The lock is written whole to a temp file, then hard-linked to its name (fails if it exists):
  // a lock never exists without its pid, even when its save is killed right after taking it.
  const tmp = `${file}.${uniqueSuffix()}.new`;
  try {
    await fs.writeFile(tmp, token, { flag: 'wx' });
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw saveFailed(dir, 'cannot write the lock file', e);
  }
  try {
    for (let wait = 2; ; wait = Math.min(2 * wait, 100)) {
      try {
        await fs.link(tmp, file);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
          // No hard links on this file system: O_EXCL create (a kill before the write leaves an
          // empty lock, stale after STALE_MS).
          try {
            await fs.writeFile(file, token, { flag: 'wx' });
            break;
          } catch (e2) {
            if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw e2;
          }
        } else if (code !== 'EEXIST') throw e;
      }
      if (!(await breakStale(file))) await sleep(wait);
    }
  } catch (e) {
    throw saveFailed(dir, 'cannot create the lock file', e);
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
  const timer = setInterval(() => {
    const now = new Date();
    fs.utimes(file, now, now).catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  const owned = async () => (await fs.readFile(file, 'utf8').catch(() => null)) === token;
  return {
    owned,
    async release() {
      clearInterval(timer);
      if (await owned()) await fs.rm(file, { force: true });
    },
  };
}

/** Removes the temp files of saves that were killed or failed (called holding the lock). */
async function removeStaleTemps(real: string): Promise<void> {
  for (const f of await fs.readdir(real)) {
    const m = TEMP_RE.exec(f);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2]);
    const p = path.join(real, f);
    const st = await fs.lstat(p).catch(() => null);
    if (st && (pid === process.pid || !alive(pid) || Date.now() - st.mtimeMs > STALE_MS)) await fs.rm(p, { force: true }).catch(() => undefined);
  }
}

// Saves to one directory (by realpath) run one after another, in call order (keys are resolved in
// call order); saves of other processes wait for the directory's lock.
const saving = new Map<string, Promise<void>>();
let keys: Promise<unknown> = Promise.resolve();

/** Writes the model to dir (created if missing), atomically. */
export async function saveModel(model: Sequential, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`save: expected a directory path, received ${typeof dir}`);
  // The weights are taken now, synchronously: what is saved is the model as it was at the call.
  const { bytes, weightsFile, json } = serialize(model);
  const keyed = keys.then(() => realKey(dir));
  keys = keyed.catch(() => undefined);
  const key = await keyed;
  const prev = saving.get(key) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(() => write(dir, key, bytes, weightsFile, json));
  saving.set(key, next);
  try {
    await next;
  } finally {
    if (saving.get(key) === next) saving.delete(key);
  }
}

function serialize(model: Sequential) {
  const specs = model.weightSpecs();
  const weights = model.getWeights();
  const total = weights.reduce((a, w) => a + w.data.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  let k = 0;
  for (const w of weights) for (let i = 0; i < w.data.length; i++, k += 4) view.setFloat32(k, w.data[i], true);
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const weightsFile = `weights-${hash}.bin`;
  const json: ModelJson = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    modelTopology: { className: 'Sequential', config: model.getConfig() },
    trainingConfig: model.compiled
      ? { optimizer: model.optimizer.serialize(), loss: model.loss.serialize(), ...(model.metrics.length ? { metrics: [...model.metrics] } : {}) }
      : null,
    weightsManifest: [
      { paths: [weightsFile], weights: specs.map((s) => ({ name: `${s.layer}/${s.name}`, shape: s.shape, dtype: 'float32' })) },
    ],
  };
  return { bytes, weightsFile, json };
}

async function write(dir: string, real: string, bytes: Uint8Array, weightsFile: string, json: ModelJson): Promise<void> {
  try {
    await mkdirp(real);
  } catch (e) {
    throw saveFailed(dir, 'cannot create the directory', e);
  }
  const text = JSON.stringify(json, null, 2);
  const temps = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const lock = await acquire(dir, real);
    let step = 'cannot clean up';
    let wroteWeights = false;
    try {
      await removeStaleTemps(real);
      step = `cannot write ${weightsFile}`;
      await writeAtomic(path.join(real, weightsFile), bytes, temps);
      wroteWeights = true;
      // A save that lost its lock (judged stale while this process was blocked) starts over: the
      // save that broke it may remove the weights file this one wrote.
      if (!(await lock.owned())) {
        if (attempt < 5) continue;
        throw new Error('lost the lock of the directory 5 times');
      }
      step = 'cannot write model.json';
      await writeAtomic(path.join(real, 'model.json'), text, temps);
      await syncDir(real);
      // The weights files model.json no longer names.
      step = 'cannot clean up';
      if (await lock.owned())
        for (const f of await fs.readdir(real)) if (WEIGHTS_RE.test(f) && f !== weightsFile) await fs.rm(path.join(real, f), { force: true });
      return;
    } catch (e) {
      for (const t of temps) await fs.rm(t, { force: true }).catch(() => undefined);
      // The weights file this save wrote, unless model.json names it (an earlier save of the same weights).
      if (wroteWeights && (await namedWeights(real)) !== weightsFile) await fs.rm(path.join(real, weightsFile), { force: true }).catch(() => undefined);
      throw saveFailed(dir, step, e);
    } finally {
      await lock.release().catch(() => undefined);
    }
  }
}

/** The weights file model.json in real names, '' when there is none, undefined when unreadable. */
async function namedWeights(real: string): Promise<string | undefined> {
  try {
    return String(JSON.parse(await fs.readFile(path.join(real, 'model.json'), 'utf8')).weightsManifest[0].paths[0]);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? '' : undefined;
  }
}

/** Marks a BAD_FILE for a weights file that was not found: a save may have replaced model.json. */
const WEIGHTS_GONE = Symbol('weights gone');

function bad(dir: string, what: string): never {
  throw new NaluError(`loadModel(${JSON.stringify(dir)}): ${what}`, 'BAD_FILE');
}

/** Opens name in dir without following a symlink or blocking on a FIFO, checks with fstat that it
 * is a regular file whose size passes `check`, and reads exactly that size (BAD_FILE if it changes). */
async function readRegular(dir: string, name: string, check: (size: number) => void): Promise<Buffer> {
  const p = path.join(dir, name);
  if (!O_NOFOLLOW) {
    // No O_NOFOLLOW (Windows): lstat first.
    const st = await fs.lstat(p).catch(() => null);
    if (st?.isSymbolicLink()) bad(dir, `${p} is a symbolic link (not followed)`);
  }
  let fh;
  try {
    fh = await fs.open(p, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const err = new NaluError(`loadModel(${JSON.stringify(dir)}): ${name === 'model.json' ? name : `weights file ${name}`} not found`, 'BAD_FILE');
      if (name !== 'model.json') Object.defineProperty(err, WEIGHTS_GONE, { value: true });
      throw err;
    }
    if (code === 'ELOOP' || code === 'EMLINK') bad(dir, `${p} is a symbolic link (not followed)`);
    bad(dir, `cannot open ${p} (${(e as Error).message})`);
  }
  try {
    const st = await fh.stat();
    // A FIFO or device would block or stream forever; a directory has no bytes.
    if (!st.isFile()) bad(dir, `${name} is not a regular file`);
    // Checked before reading, so a file cannot make us allocate what it claims.
    check(st.size);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) bad(dir, `${name} changed while being read (${off} of ${st.size} bytes)`);
      off += bytesRead;
    }
    const { bytesRead: more } = await fh.read(Buffer.alloc(1), 0, 1, st.size);
    const after = await fh.stat();
    if (more !== 0 || after.size !== st.size || after.mtimeMs !== st.mtimeMs)
      bad(dir, `${name} changed while being read (${st.size} bytes, now ${after.size})`);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * Restores a model written by save(): same topology, weights, optimizer and loss (compiled as it was).
 * @throws (rejects) TypeError for an empty or non-string dir; NaluError BAD_FILE for a missing, unreadable or invalid
 * model.json or weights file.
 * @category Model
 */
export async function loadModel(dir: string): Promise<Sequential> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError(`loadModel: expected a directory path, received ${typeof dir}`);
  // A save that completes between reading model.json and opening the weights file it names
  // removes that file: read the new model.json.
  for (let attempt = 1; ; attempt++) {
    try {
      return await loadOnce(dir);
    } catch (e) {
      if (attempt >= 5 || !(e instanceof NaluError && WEIGHTS_GONE in e)) throw e;
    }
  }
}

async function loadOnce(dir: string): Promise<Sequential> {
  const raw = await readRegular(dir, 'model.json', (size) => {
    if (size > MAX_JSON_BYTES) bad(dir, `model.json is ${size} bytes, more than the ${MAX_JSON_BYTES} allowed`);
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    bad(dir, 'model.json is not valid UTF-8');
  }
  let json: ModelJson;
  try {
    json = JSON.parse(text);
  } catch (e) {
    bad(dir, `model.json is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || json.format !== FORMAT) bad(dir, `model.json is not a ${FORMAT} file`);
  if (json.formatVersion !== FORMAT_VERSION) bad(dir, `unsupported formatVersion ${json.formatVersion} (expected ${FORMAT_VERSION})`);
  const topo = json.modelTopology;
  if (!topo || topo.className !== 'Sequential' || !Array.isArray(topo.config?.layers))
    bad(dir, 'modelTopology must be a Sequential with a layers array');
  if (topo.config.layers.length === 0) bad(dir, 'modelTopology has no layers');
  let model: Sequential;
  let specs: ReturnType<Sequential['weightSpecs']>;
  try {
    model = new Sequential({
      name: typeof topo.config.name === 'string' ? topo.config.name : undefined,
      layers: topo.config.layers.map((l, i) => deserializeLayer(l, `layers[${i}]`)),
    });
    specs = model.weightSpecs();
  } catch (e) {
    if (e instanceof NaluError) throw e;
    bad(dir, `bad topology: ${(e as Error).message}`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || !Array.isArray(manifest[0]?.paths) || manifest[0].paths.length !== 1)
    bad(dir, 'weightsManifest must name one weights file');
  const file = manifest[0].paths[0];
  if (typeof file !== 'string' || !/^[\w.-]+\.bin$/.test(file) || file.startsWith('.'))
    bad(dir, `weights path ${JSON.stringify(file)} must be a plain file name in the model directory`);
  const entries = manifest[0].weights;
  if (!Array.isArray(entries) || entries.length !== specs.length)
    bad(dir, `the manifest lists ${Array.isArray(entries) ? entries.length : 'no'} weights, the topology has ${specs.length}`);
  entries.forEach((e, i) => {
    const s = specs[i];
    if (e?.dtype !== 'float32') bad(dir, `weight ${i} has dtype ${JSON.stringify(e?.dtype)}, expected 'float32'`);
    if (!Array.isArray(e.shape) || e.shape.length !== s.shape.length || e.shape.some((d, k) => d !== s.shape[k]))
      bad(dir, `weight ${i} (${s.layer}.${s.name}) has shape ${JSON.stringify(e.shape)}, the topology needs [${s.shape.join(', ')}]`);
  });
  const expected = specs.reduce((a, s) => a + s.shape.reduce((p, q) => p * q, 1), 0) * 4;
  const bytes = await readRegular(dir, file, (size) => {
    if (size !== expected) bad(dir, `${file} has ${size} bytes, the topology needs ${expected}`);
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  const weights = specs.map((s, i) => {
    const n = s.shape.reduce((p, q) => p * q, 1);
    const data = new Float32Array(n);
    for (let j = 0; j < n; j++, off += 4) {
      data[j] = view.getFloat32(off, true);
      if (!Number.isFinite(data[j])) bad(dir, `weight ${i} (${s.layer}.${s.name}) has a non-finite value at ${j}`);
    }
    return { data, shape: s.shape };
  });
  // The native network is built here: what it refuses (too many layers, say) is the topology's fault.
  try {
    model.setWeights(weights);
  } catch (e) {
    if (e instanceof NaluError) throw e;
    bad(dir, `bad topology: ${(e as Error).message}`);
  }
  if (json.trainingConfig) {
    try {
      const { optimizer, loss, metrics } = json.trainingConfig;
      model.compile({ optimizer: getOptimizer(optimizer), loss: getLoss(loss), ...(metrics === undefined ? {} : { metrics: metrics as Metric[] }) });
    } catch (e) {
      model.dispose();
      bad(dir, `bad trainingConfig: ${(e as Error).message}`);
    }
  }
  return model;
}
