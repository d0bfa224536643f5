// Numeric tables from CSV files, streamed through csv-parse: memory holds the chosen columns as
// float64 and one record at a time. Every refusal names the file, the line and the column.
import type { parse as csvParse } from 'csv-parse';
import * as fs from 'node:fs';
import { NaluError } from './errors';
import { checkNumber, checkOptions } from './registry';
import { describe } from './tensor';

/** Options of readCsv. @category Data */
export interface ReadCsvOptions {
  /** The columns to keep, by header name (the others may hold anything), or a function of the header that names them. Default: every column. */
  columns?: string[] | ((header: string[]) => string[]);
  /** Refuse a file with more data rows than this. Default 1,000,000. */
  maxRows?: number;
}

/** A CSV file's numeric columns. @category Data */
export interface CsvTable {
  /** Every header name, in file order. */
  header: string[];
  /** The kept columns' names, in the order asked for. */
  columns: string[];
  /** The kept columns' values, one array per column, `rows` long. */
  data: Float64Array[];
  /** Data rows read. */
  rows: number;
}

/** A decimal number, as written in a CSV: 12, -3.5, .5, 1e-3 (not NaN, Infinity, hex or empty). */
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// A quoted field that never closes would otherwise grow one record without end.
const maxRecordBytes = 1 << 20;

function bad(message: string): NaluError {
  return new NaluError(message, 'BAD_FILE');
}

/** A refused record (0: the header), before its line is known. */
class Refusal extends Error {
  constructor(
    readonly record: number,
    message: string,
  ) {
    super(message);
  }
}

interface RecordInfo {
  /** The line the record ends on. */
  lines: number;
  /** Blank lines skipped so far. */
  empty_lines: number;
}

/** The CSV reader's optional peer package, as npm installs it. */
export const csvPackages = ['csv-parse@^7.0.3'];

/** csv-parse, required here (never at the top of a module), so a plain install stays one package. */
function loadParse(): typeof csvParse {
  try {
    require.resolve('csv-parse');
  } catch {
    throw new NaluError(`reading a CSV needs the optional package csv-parse: npm install ${csvPackages.join(' ')}`, 'MISSING_DEPENDENCY');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('csv-parse') as { parse: typeof csvParse }).parse;
}

/** Feeds `file`'s records, in order, to onRecord until it returns true; rejects with what it or csv-parse throws. */
function scan(file: string, info: boolean, onRecord: (fields: string[], info?: RecordInfo) => boolean | void): Promise<void> {
  const parse = loadParse();
  return new Promise((resolve, reject) => {
    const input = fs.createReadStream(file);
    const parser = parse({ bom: true, info, relax_column_count: true, skip_empty_lines: true, max_record_size: maxRecordBytes });
    const stop = (e?: unknown) => {
      input.destroy();
      parser.destroy();
      if (e === undefined) resolve();
      else reject(e);
    };
    input.on('error', stop);
    parser.on('error', stop);
    parser.on('end', () => resolve());
    parser.on('readable', () => {
      let r: string[] | { record: string[]; info: RecordInfo } | null;
      try {
        while ((r = parser.read()) !== null)
          if (info ? onRecord((r as { record: string[] }).record, (r as { info: RecordInfo }).info) : onRecord(r as string[])) return stop();
      } catch (e) {
        stop(e);
      }
    });
    input.pipe(parser);
  });
}

/** The line record `k` (0: the header) starts on: after the previous record and the blank lines between. */
async function lineOf(file: string, k: number): Promise<number> {
  let i = 0;
  let line = 1;
  let lastLine = 0;
  let lastEmpty = 0;
  await scan(file, true, (_, info) => {
    line = lastLine + 1 + (info!.empty_lines - lastEmpty);
    lastLine = info!.lines;
    lastEmpty = info!.empty_lines;
    return i++ === k;
  });
  return line;
}

/**
 * Reads the numeric columns of a CSV file with a header line (comma-separated, RFC 4180 quoting, an
 * optional UTF-8 BOM, blank lines skipped), streaming. Every kept cell must be a finite decimal number.
 * @throws TypeError or RangeError for bad arguments; NaluError BAD_FILE naming the file, line and column for
 * a file that is missing, empty, header-only, ragged, has duplicate or missing columns, a cell that is not a
 * finite number, or more than maxRows data rows.
 * @category Data
 */
export async function readCsv(file: string, options: ReadCsvOptions = {}): Promise<CsvTable> {
  if (typeof file !== 'string' || file === '') throw new TypeError(`readCsv: expected a file name, received ${describe(file)}`);
  const o = checkOptions(options, 'readCsv options') as ReadCsvOptions;
  for (const k of Object.keys(o)) if (k !== 'columns' && k !== 'maxRows') throw new RangeError(`readCsv: unknown option '${k}', expected columns, maxRows`);
  const maxRows = checkNumber(o.maxRows ?? 1e6, 'maxRows', 1, 2 ** 31, true);
  const names = (c: unknown) => {
    if (!Array.isArray(c) || c.some((n) => typeof n !== 'string')) throw new TypeError(`columns: expected an array of column names, received ${describe(c)}`);
    return [...c] as string[];
  };
  if (o.columns !== undefined && typeof o.columns !== 'function') names(o.columns);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw bad(`${file}: no such file`);
  }
  // A FIFO or a device would block or never end.
  if (!st.isFile()) throw bad(`${file}: not a regular file`);
  if (st.size === 0) throw bad(`${file}: the file is empty (expected a header line and data rows)`);

  let header: string[] | undefined;
  let keep: number[] = [];
  let columns: string[] = [];
  let data: Float64Array[] = [];
  let rows = 0;
  // Checked without csv-parse's line counts (they halve its speed); a refusal finds its line by a second pass.
  let record = 0;
  try {
    await scan(file, false, (fields) => {
      if (!header) {
        header = fields.map((h) => h.trim());
        header.forEach((h, i) => {
          if (h === '') throw new Refusal(0, `column ${i + 1} of the header has no name`);
          const first = header!.indexOf(h);
          if (first < i) throw new Refusal(0, `columns ${first + 1} and ${i + 1} are both named '${h}'`);
        });
        columns = o.columns === undefined ? header : names(typeof o.columns === 'function' ? o.columns([...header]) : o.columns);
        keep = columns.map((c) => {
          const k = header!.indexOf(c);
          if (k < 0) throw new Refusal(0, `no column '${c}' (the header has ${header!.map((h) => `'${h}'`).join(', ')})`);
          return k;
        });
        data = columns.map(() => new Float64Array(1024));
        return;
      }
      record++;
      if (fields.length !== header.length)
        throw new Refusal(record, `${fields.length} field${fields.length === 1 ? '' : 's'}, but the header has ${header.length} columns`);
      if (rows === maxRows) throw new Refusal(record, `more than ${maxRows} data rows, the most read (maxRows)`);
      if (rows === data[0].length)
        data = data.map((d) => {
          const grown = new Float64Array(d.length * 2);
          grown.set(d);
          return grown;
        });
      for (let j = 0; j < keep.length; j++) {
        const cell = fields[keep[j]].trim();
        const where = `column ${keep[j] + 1} ('${columns[j]}')`;
        if (!numberPattern.test(cell))
          throw new Refusal(record, `${where}: ${cell === '' ? 'an empty cell' : `'${cell.length > 40 ? `${cell.slice(0, 40)}…` : cell}'`} is not a finite number`);
        const v = Number(cell);
        if (!Number.isFinite(v)) throw new Refusal(record, `${where}: '${cell}' overflows a double`);
        data[j][rows] = v;
      }
      rows++;
    });
  } catch (e) {
    if (e instanceof Refusal) throw bad(`${file}:${await lineOf(file, e.record)}: ${e.message}`);
    if (e instanceof TypeError) throw e;
    // csv-parse's own errors (an unclosed quote, a runaway record) carry the line they stopped at.
    const err = e as { code?: string; lines?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('CSV_'))
      throw bad(`${file}:${err.lines ?? '?'}: ${err.message?.replace(/^Invalid [^:]*: /, '') ?? err.code}`);
    throw bad(`${file}: ${(e as Error).message}`);
  }
  if (!header) throw bad(`${file}: the file is empty (expected a header line and data rows)`);
  if (rows === 0) throw bad(`${file}: a header but no data rows`);
  return { header, columns, data: data.map((d) => d.slice(0, rows)), rows };
}
