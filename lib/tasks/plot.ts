// Success rates with their Wilson intervals as an SVG chart, drawn by Vega-Lite and rendered
// headlessly by Vega's SVG renderer (no canvas, no browser).
import { NaluError } from '../errors';
import { opSymbols } from './arithmetic';
import type { SummaryRow } from './summary';

// vega and vega-lite ship as ES modules only; a real dynamic import keeps them out of the
// CommonJS build's require() path and loads them only when a plot is asked for.
const esmImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>; // eslint-disable-line

/** The Vega-Lite spec: one panel per operation (and range), a point and a CI rule per model, the paper's as a diamond. @category Tables */
export function successRateSpec(rows: SummaryRow[], title = 'Success rate (95% Wilson interval)'): Record<string, unknown> {
  if (!Array.isArray(rows)) throw new TypeError(`rows: expected summary rows, received ${typeof rows}`);
  const multiRange = new Set(rows.map((r) => r.interpolation)).size > 1;
  const values = rows.map((r) => ({
    panel: multiRange ? `${opSymbols[r.op]}  ${r.interpolation} → ${r.extrapolation}` : `${opSymbols[r.op]} (${r.op})`,
    model: r.model,
    rate: r.rate,
    lo: r.rateCI[0],
    hi: r.rateCI[1],
    runs: r.runs,
    paper: r.paper ? r.paper.success.value : null,
  }));
  const compared = rows.some((r) => r.paper);
  const y = { field: 'model', type: 'nominal', title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { row: { field: 'panel', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 320,
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, x: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'success rate' }, x2: { field: 'hi' } } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { y, x: { field: 'rate', type: 'quantitative' }, tooltip: [{ field: 'runs' }] } },
        // The paper's rate, where a row was compared: an open diamond.
        ...(compared
          ? [{ transform: [{ filter: 'datum.paper !== null' }], mark: { type: 'point', shape: 'diamond', filled: false, size: 90, color: '#d62728' },
              encoding: { y, x: { field: 'paper', type: 'quantitative' } } }]
          : []),
      ],
    },
    config: { font: 'sans-serif' },
  };
}

/** The plot's optional peer packages, as npm installs them. */
export const plotPackages = ['vega@^6.4.0', 'vega-lite@^6.4.3'];

/** vega and vega-lite, or a NaluError MISSING_DEPENDENCY naming what to install. */
export async function loadVega(): Promise<[any, any]> { // eslint-disable-line
  try {
    return (await Promise.all([esmImport('vega'), esmImport('vega-lite')])) as [any, any]; // eslint-disable-line
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new NaluError(`plots need the optional packages vega and vega-lite: npm install ${plotPackages.join(' ')}`, 'MISSING_DEPENDENCY');
  }
}

/** Renders the chart to an SVG string. @category Tables */
export async function successRateSvg(rows: SummaryRow[], title?: string): Promise<string> {
  const spec = successRateSpec(rows, title);
  const [vega, vl] = await loadVega();
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
