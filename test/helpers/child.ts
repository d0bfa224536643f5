// Runs a TypeScript fixture in a child node (through tsx), so that a native crash is a failed
// test with its signal and stderr instead of the death of the vitest worker.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runChild(fixture: string, args: string[] = [], opts: { nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<ChildResult> {
  const file = path.resolve(__dirname, '..', 'fixtures', fixture);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', file, ...args], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The last line of stdout that parses as JSON. */
export function lastJson<T>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n').reverse();
  for (const l of lines) {
    try {
      return JSON.parse(l) as T;
    } catch {
      /* not JSON */
    }
  }
  throw new Error(`child printed no JSON (exit ${r.code ?? r.signal}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
}
