// A progress bar with ETA on stderr (redrawn in place on a TTY, a line every few seconds otherwise).
export class Progress {
  #total: number;
  #done = 0;
  #started = Date.now();
  #last = 0;
  #label = '';
  readonly #tty: boolean;
  constructor(
    total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.#total = Math.max(1, total);
    this.#tty = Boolean(stream.isTTY);
  }
  /** Sets the work done so far (same unit as total) and a short status label. */
  update(done: number, label = this.#label): void {
    this.#done = Math.min(done, this.#total);
    this.#label = label;
    const now = Date.now();
    if (now - this.#last < (this.#tty ? 200 : 5000)) return;
    this.#last = now;
    this.#draw();
  }
  #draw(): void {
    if (!this.enabled) return;
    const f = this.#done / this.#total;
    const elapsed = (Date.now() - this.#started) / 1000;
    const eta = f > 0 ? (elapsed / f) * (1 - f) : NaN;
    const width = 30;
    const bar = '█'.repeat(Math.round(f * width)).padEnd(width, '░');
    const text = `${bar} ${(f * 100).toFixed(1).padStart(5)}%  elapsed ${fmt(elapsed)}  ETA ${fmt(eta)}  ${this.#label}`;
    if (this.#tty) this.stream.write(`\r\x1b[K${text}`);
    else this.stream.write(`${text}\n`);
  }
  /** Final draw and newline. */
  finish(label = 'done'): void {
    this.#done = this.#total;
    this.#label = label;
    this.#last = 0;
    this.#draw();
    if (this.enabled && this.#tty) this.stream.write('\n');
  }
}

export function fmt(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
