// Float64 matrix references for the product tests (small-gemm, gemm-threads).
import { expect } from 'vitest';

/** C = A·B for row-major A [m, k], B [k, n], in float64. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const v = a[i * k + t];
      for (let j = 0; j < n; j++) c[i * n + j] += v * b[t * n + j];
    }
  return c;
}

/** The transpose of a row-major [rows, cols] matrix. */
export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

/** Every element within `tol` of `want`, relative to want's largest magnitude. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 2e-6) {
  expect(got.length, what).toBe(want.length);
  let scale = 1e-6;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]) / scale, `${what}[${i}]`).toBeLessThan(tol);
}
