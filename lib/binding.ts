// The one loader of the native addon.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NativeBinding } from '../binding';
import { NaluError } from './errors';

/** The package root: the nearest folder above this file whose package.json is nalu's. @internal */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    try {
      if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'nalu') return dir;
    } catch {
      /* not here */
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(__dirname, '..');
    dir = up;
  }
}

/** Candidate paths of the addon, in the order they are tried. */
export function candidatePaths(root = packageRoot()): string[] {
  const paths: string[] = [];
  if (process.env.NALU_NATIVE_PATH) paths.push(path.resolve(process.env.NALU_NATIVE_PATH));
  paths.push(path.join(root, 'build', 'Release', 'nalu.node'));
  paths.push(path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'nalu.node'));
  return paths;
}

function load(): NativeBinding {
  const tried: string[] = [];
  const explicit = process.env.NALU_NATIVE_PATH ? path.resolve(process.env.NALU_NATIVE_PATH) : null;
  for (const p of candidatePaths()) {
    if (!fs.existsSync(p)) {
      tried.push(`${p} (not found)`);
      // An explicit NALU_NATIVE_PATH that is missing or fails must not fall back to another build.
      if (p === explicit) break;
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const b = require(p) as NativeBinding;
      b.init({ NaluError });
      return b;
    } catch (e) {
      tried.push(`${p} (${(e as Error).message.split('\n')[0]})`);
      if (p === explicit) break;
    }
  }
  throw new NaluError(
    `nalu: could not load the native addon. Tried:\n  ${tried.join('\n  ')}\n` +
      'Build it with `npm rebuild nalu --build-from-source` (in a checkout: `npm run build:native`; ' +
      'needs cmake, g++ and libopenblas-openmp-dev), or set NALU_NATIVE_PATH to a nalu.node.',
    'LOAD_FAILED',
  );
}

/** The native addon (loaded once, on first import). */
export const native: NativeBinding = load();
