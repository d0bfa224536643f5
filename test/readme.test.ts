// Every TypeScript snippet of the README runs as written, as a user's ES module importing the built
// package (dist/esm, from npm run build), each in a fresh process and directory; a snippet's
// `// prints: …` lines are the lines its output must have, in that order.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const snippets = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => ({ code: m[1], line: readme.slice(0, m.index).split('\n').length }));
// tsx's loader by path: a snippet runs in a directory outside the checkout.
const tsx = pathToFileURL(path.join(root, 'node_modules/tsx', JSON.parse(fs.readFileSync(path.join(root, 'node_modules/tsx/package.json'), 'utf8')).exports['.'])).href;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-readme-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(file: string, cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, file], { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const entry = path.join(root, 'dist/esm/index.mjs');
// The packages a snippet imports, resolved from the checkout (the snippet runs outside it).
const modules: Record<string, string> = {
  nalu: entry,
  'nalu/tfjs': path.join(root, 'dist/esm/tfjs.mjs'),
  '@tensorflow/tfjs': require.resolve('@tensorflow/tfjs'),
  'onnxruntime-web': path.join(path.dirname(require.resolve('onnxruntime-web')), 'ort.node.min.mjs'),
};
const fixtures: Record<string, string> = { 'nalu.weights.h5': path.join(root, 'test/fixtures/keras/nalu.weights.h5') };

describe('README snippets', () => {
  it('has TypeScript snippets, and the built package to run them on', () => {
    expect(snippets.length).toBeGreaterThan(1);
    expect(fs.existsSync(entry), `${entry} is missing: npm run build`).toBe(true);
  });
  for (const [i, s] of snippets.entries())
    it(`snippet ${i + 1} (README.md line ${s.line}) runs`, { timeout: 130_000 }, async () => {
      const cwd = fs.mkdtempSync(path.join(dir, `snippet-${i + 1}-`));
      const file = path.join(cwd, 'snippet.mts');
      let code = s.code;
      for (const [spec, target] of Object.entries(modules)) code = code.replaceAll(`'${spec}'`, JSON.stringify(target));
      fs.writeFileSync(file, code);
      // A fixture the snippet names (e.g. the Keras weights) is there, as in the user's directory.
      for (const [name, from] of Object.entries(fixtures)) if (code.includes(`'${name}'`)) fs.copyFileSync(from, path.join(cwd, name));
      const r = await run(file, cwd);
      expect(r.code, r.out.slice(-3000)).toBe(0);
      const stated = [...s.code.matchAll(/^\/\/ prints: (.*)$/gm)].map((m) => m[1].trim());
      const lines = r.out.split('\n').map((l) => l.trim());
      let at = 0;
      for (const line of stated) {
        const found = lines.indexOf(line, at);
        expect(found, `README.md line ${s.line}: the snippet prints\n${r.out}\nnot the line '${line}'`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    });

  it('seeds the data of every snippet that states what it prints', () => {
    for (const s of snippets.filter((s) => /^\/\/ prints: /m.test(s.code)))
      expect(s.code, `README.md line ${s.line}`).not.toMatch(/Math\.random/);
  });

  it('states what the snippets of "Fit your own data" print', () => {
    const start = readme.indexOf('## Fit your own data');
    const section = readme.slice(start, readme.slice(start + 3).search(/\n##+ /) + start + 3);
    const fits = snippets.filter((s) => section.includes(s.code));
    expect(fits.length).toBeGreaterThanOrEqual(2);
    for (const f of fits) {
      expect(f.code, `README.md line ${f.line}`).toMatch(/^\/\/ prints: /m);
      // Data from Math.random would print something else on every run.
      expect(f.code, `README.md line ${f.line}`).not.toMatch(/Math\.random/);
    }
  });
});

describe('README links', () => {
  it('every relative link names a file of the checkout', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    const missing = links.filter((l) => !fs.existsSync(path.join(root, l)));
    expect(missing).toEqual([]);
  });
});

describe('README anchors', () => {
  it('every #link names a heading (GitHub slugs)', () => {
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');
    const headings = new Set([...readme.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1])));
    const anchors = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(anchors.length).toBeGreaterThan(5);
    expect(anchors.filter((a) => !headings.has(a))).toEqual([]);
  });
});

describe('README Speed section', () => {
  it('is bench/results/latest.md as the bench wrote it (node scripts/readme-speed.js)', () => {
    const m = /<!-- bench:begin -->\n([\s\S]*?)\n<!-- bench:end -->/.exec(readme);
    expect(m, 'README.md has no bench:begin … bench:end section').not.toBeNull();
    expect(m![1]).toBe(fs.readFileSync(path.join(root, 'bench', 'results', 'latest.md'), 'utf8').trim());
  });
});

describe('README result tables', () => {
  const tables: [string, string, string?][] = [
    ['table1', 'madsen2020-table1.jsonl', 'madsen2020'],
    ['recurrent', 'hoedt2021-recurrent.jsonl'],
  ];
  for (const [marker, file, compare] of tables)
    it(`${marker} is \`nalu summary results/${file}${compare ? ` --compare ${compare}` : ''}\` as it prints today`, { timeout: 120_000 }, async () => {
      const m = new RegExp(`<!-- ${marker}:begin -->\\n\`\`\`\\n([\\s\\S]*?)\\n\`\`\`\\n<!-- ${marker}:end -->`).exec(readme);
      expect(m, `README.md has no ${marker}:begin … ${marker}:end section`).not.toBeNull();
      const { printSummary, readResults } = await import('../lib/cli/summary');
      let out = '';
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
      try {
        await printSummary(readResults(path.join(root, 'results', file)), undefined, 'nalu summary', compare);
      } finally {
        spy.mockRestore();
      }
      expect(m![1]).toBe(out.replace(/^\n+|\n+$/g, ''));
    });
});
