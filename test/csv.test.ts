// readCsv: numeric columns from CSV files, and a clear refusal (file, line, column) for each hostile file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../lib/csv';
import { NaluError } from '../lib/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nalu-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string | Buffer): string {
  const f = path.join(dir, `t${n++}.csv`);
  fs.writeFileSync(f, text);
  return f;
}

/** The BAD_FILE message readCsv rejects with. */
async function refusal(text: string, options?: Parameters<typeof readCsv>[1]): Promise<string> {
  const f = file(text);
  const e = await readCsv(f, options).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NaluError);
  expect((e as NaluError).code).toBe('BAD_FILE');
  const m = (e as NaluError).message;
  expect(m.startsWith(f)).toBe(true);
  return m.slice(f.length);
}

describe('readCsv', () => {
  it('reads the chosen columns as float64, in the order asked for', async () => {
    const t = await readCsv(file('a,b,name,y\n1,2.5,first,3\n-4,.5e1,second,1e-3\n'), { columns: ['y', 'a', 'b'] });
    expect(t.header).toEqual(['a', 'b', 'name', 'y']);
    expect(t.columns).toEqual(['y', 'a', 'b']);
    expect(t.rows).toBe(2);
    expect([...t.data[0]]).toEqual([3, 1e-3]);
    expect([...t.data[1]]).toEqual([1, -4]);
    expect([...t.data[2]]).toEqual([2.5, 5]);
  });

  it('strips a UTF-8 BOM and reads quoted fields and CRLF lines', async () => {
    const t = await readCsv(file('\ufeff"a","b, the second",y\r\n"1","2",3\r\n4,"5","6"\r\n'));
    expect(t.columns).toEqual(['a', 'b, the second', 'y']);
    expect([...t.data[1]]).toEqual([2, 5]);
  });

  it('grows past its first buffer', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},${2 * i}`);
    const t = await readCsv(file(`a,b\n${rows.join('\n')}\n`));
    expect(t.rows).toBe(3000);
    expect(t.data[1][2999]).toBe(5998);
  });

  it('refuses an empty file, a blank one and one with a header only', async () => {
    expect(await refusal('')).toMatch(/the file is empty/);
    expect(await refusal('\n\n')).toMatch(/the file is empty/);
    expect(await refusal('a,b,y\n')).toBe(': a header but no data rows');
  });

  it('refuses ragged rows, naming the line', async () => {
    expect(await refusal('a,b,y\n1,2,3\n4,5\n')).toBe(':3: 2 fields, but the header has 3 columns');
    expect(await refusal('a,b,y\n1,2,3\n\n4,5,6,7\n')).toBe(':4: 4 fields, but the header has 3 columns');
  });

  it('refuses cells that are not finite numbers, naming line and column', async () => {
    expect(await refusal('a,b,y\n1,2,3\n1,two,3\n')).toBe(":3: column 2 ('b'): 'two' is not a finite number");
    expect(await refusal('a,b,y\n1,NaN,3\n')).toBe(":2: column 2 ('b'): 'NaN' is not a finite number");
    expect(await refusal('a,b,y\n1,2,Infinity\n')).toBe(":2: column 3 ('y'): 'Infinity' is not a finite number");
    expect(await refusal('a,b,y\n1,2,-inf\n')).toBe(":2: column 3 ('y'): '-inf' is not a finite number");
    expect(await refusal('a,b,y\n1,,3\n')).toBe(":2: column 2 ('b'): an empty cell is not a finite number");
    expect(await refusal('a,b,y\n0x10,2,3\n')).toBe(":2: column 1 ('a'): '0x10' is not a finite number");
    expect(await refusal('a,b,y\n1e999,2,3\n')).toBe(":2: column 1 ('a'): '1e999' overflows a double");
  });

  it('reads a quoted field over several lines and counts lines after it', async () => {
    expect(await refusal('a,note,y\n1,"two\nlines",3\n4,x,y\n', { columns: ['a', 'y'] })).toBe(":4: column 3 ('y'): 'y' is not a finite number");
  });

  it('ignores the columns not asked for, whatever they hold', async () => {
    const t = await readCsv(file('id,a,y\nabc,1,2\n,3,4\n'), { columns: ['a', 'y'] });
    expect(t.rows).toBe(2);
  });

  it('refuses a missing column and duplicate column names', async () => {
    expect(await refusal('a,b\n1,2\n', { columns: ['a', 'y'] })).toBe(":1: no column 'y' (the header has 'a', 'b')");
    expect(await refusal('a,b,a\n1,2,3\n')).toBe(":1: columns 1 and 3 are both named 'a'");
    expect(await refusal('a,,y\n1,2,3\n')).toBe(':1: column 2 of the header has no name');
  });

  it('refuses an unclosed quote with its line', async () => {
    expect(await refusal('a,y\n1,2\n"3,4\n')).toMatch(/^:\d+: .*quote/i);
  });

  it('refuses a file with more rows than maxRows while streaming it', async () => {
    const rows = Array.from({ length: 101 }, (_, i) => `${i},${i}`);
    expect(await refusal(`a,y\n${rows.join('\n')}\n`, { maxRows: 100 })).toBe(':102: more than 100 data rows, the most read (maxRows)');
  });

  it('refuses a missing file and a directory, and bad arguments', async () => {
    await expect(readCsv(path.join(dir, 'absent.csv'))).rejects.toThrow(/no such file/);
    await expect(readCsv(dir)).rejects.toThrow(/not a regular file/);
    await expect(readCsv('')).rejects.toThrow(TypeError);
    await expect(readCsv(file('a\n1\n'), { maxRows: 0 })).rejects.toThrow(RangeError);
    await expect(readCsv(file('a\n1\n'), { columns: 'a' as unknown as string[] })).rejects.toThrow(TypeError);
  });
});
