// The addon loader and the install script's choice of binary, in real child processes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');
const binding = path.join(root, 'lib', 'binding.ts');

function loadWith(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(binding)}); console.log('loaded')`], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('addon loader', () => {
  it('loads the default build', () => {
    const r = loadWith({});
    expect(r.stdout).toContain('loaded');
  });

  it('refuses a NALU_NATIVE_PATH that does not exist instead of falling back', () => {
    const r = loadWith({ NALU_NATIVE_PATH: path.join(os.tmpdir(), 'no-such-nalu.node') });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no-such-nalu.node (not found)');
    expect(r.stderr).not.toContain('build/Release/nalu.node (');
  });
});

describe('install script in a checkout', () => {
  // A scratch checkout: the script, one native source, CMakeLists.txt and a copy of the build.
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  function checkout(buildNewer: boolean): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-install-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts', 'install.js'), path.join(dir, 'scripts', 'install.js'));
    fs.mkdirSync(path.join(dir, 'native', 'kernels'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'native', 'kernels', 'nau.cc'), '// source\n');
    fs.writeFileSync(path.join(dir, 'CMakeLists.txt'), '# cmake\n');
    fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(path.join(root, 'build', 'Release', 'nalu.node'), path.join(dir, 'build', 'Release', 'nalu.node'));
    const [older, newer] = [new Date(Date.now() - 60_000), new Date()];
    fs.utimesSync(path.join(dir, 'build', 'Release', 'nalu.node'), buildNewer ? newer : older, buildNewer ? newer : older);
    fs.utimesSync(path.join(dir, 'native', 'kernels', 'nau.cc'), buildNewer ? older : newer, buildNewer ? older : newer);
    return dir;
  }
  const install = (dir: string) =>
    spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });

  it('keeps a build/ newer than every native source instead of rebuilding it', () => {
    const dir = checkout(true);
    const r = install(dir);
    expect(r.stdout).toContain('keeping build/Release/nalu.node');
    expect(r.status).toBe(0);
  });

  it('does not keep a build/ older than a native source', () => {
    // No cmake-js in the scratch checkout, so the rebuild it starts stops at once with its help.
    const r = install(checkout(false));
    expect(r.stdout).not.toContain('keeping');
    expect(r.stdout).toContain('building from source');
    expect(r.status).toBe(1);
  });
});

describe('install script and the Node version', () => {
  it('accepts what engines accepts and refuses the rest', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { supportedNode } = require(path.join(root, 'scripts', 'install.js')) as { supportedNode: (v: string) => boolean };
    const engines = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
    expect(engines).toBe('^20.17.0 || >=22.9.0');
    for (const v of ['20.17.0', '20.20.2', 'v22.9.0', '22.12.1', '23.0.0', '24.1.0']) expect(supportedNode(v), v).toBe(true);
    for (const v of ['18.19.0', '20.16.0', '21.7.3', '22.8.0', '19.0.0']) expect(supportedNode(v), v).toBe(false);
  });
});

