// Success rates with their Wilson intervals as a chart for a paper: drawn by Vega-Lite, rendered
// headlessly by Vega's SVG renderer (no canvas, no browser), and to PNG by resvg when asked.
import { NaluError } from '../errors';
import { opSymbols } from './arithmetic';
import type { SummaryRow } from './summary';

// vega, vega-lite and resvg-js are optional peers; vega and vega-lite ship as ES modules only: a
// real dynamic import keeps them out of the CommonJS build's require() path until a plot is asked for.
const esmImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>; // eslint-disable-line

const ours = 'ours';

/**
 * The Vega-Lite spec: a grid of panels, one per operation (and range) in the papers' order
 * (+, −, ×, ÷, z², √z), each listing only the models run on it with their runs (n); per model our
 * success rate and its interval, and the paper's (point and interval) just below it when compared.
 * @category Tables
 */
export function successRateSpec(rows: SummaryRow[], title = 'Success rate (95% Wilson interval)'): Record<string, unknown> {
  if (!Array.isArray(rows)) throw new TypeError(`rows: expected summary rows, received ${typeof rows}`);
  const ranges = [...new Set(rows.map((r) => `${r.interpolation} → ${r.extrapolation}`))];
  const panelOf = (r: SummaryRow) => `${opSymbols[r.op]} (${r.op})${ranges.length > 1 ? `  ${r.interpolation} → ${r.extrapolation}` : ''}`;
  const opOrder = Object.keys(opSymbols);
  const ordered = [...rows].sort(
    (a, b) => opOrder.indexOf(a.op) - opOrder.indexOf(b.op) || ranges.indexOf(`${a.interpolation} → ${a.extrapolation}`) - ranges.indexOf(`${b.interpolation} → ${b.extrapolation}`),
  );
  const panels = [...new Set(ordered.map(panelOf))];
  const paperRuns = [...new Set(rows.flatMap((r) => (r.paper ? [r.paper.runs] : [])))];
  // One legend entry for the paper: its n when every cell has the same, else n is in each label.
  const paperName = `paper${paperRuns.length === 1 ? ` (n = ${paperRuns[0]})` : ''}`;
  const values = ordered.flatMap((r) => {
    const label = `${r.model}  n = ${r.runs}${r.paper && paperRuns.length > 1 ? ` | ${r.paper.runs}` : ''}`;
    const mine = { panel: panelOf(r), label, source: ours, rate: r.rate, lo: r.rateCI[0], hi: r.rateCI[1] };
    if (!r.paper) return [mine];
    const p = r.paper.success;
    // The paper prints its interval as half-widths below and above the rate.
    return [mine, { ...mine, source: paperName, rate: p.value, lo: Math.max(0, p.value - p.minus), hi: Math.min(1, p.value + p.plus) }];
  });
  const sources = [ours, ...(rows.some((r) => r.paper) ? [paperName] : [])];
  const color = { field: 'source', type: 'nominal', title: null, scale: { domain: sources, range: ['#1f5fa8', '#d62728'] }, legend: { orient: 'top', direction: 'horizontal' } };
  const y = { field: 'label', type: 'nominal', title: null, sort: 'ascending' };
  const yOffset = { field: 'source', type: 'nominal', sort: sources, scale: { paddingInner: 0.15 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 13, labelFontWeight: 'bold', labelAnchor: 'start' } },
    columns: Math.min(3, panels.length),
    // Each panel lists only its own models.
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 230,
      height: { step: sources.length > 1 ? 26 : 16 },
      encoding: { y, yOffset, color },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: {
            // Padding keeps the markers at 0 % and 100 % inside the panel, clear of its frame.
            x: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1], padding: 8 }, axis: { format: '%', tickCount: 5 }, title: 'success rate' },
            x2: { field: 'hi' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 45, opacity: 1 },
          encoding: { x: { field: 'rate', type: 'quantitative' }, shape: { field: 'source', type: 'nominal', scale: { domain: sources, range: ['circle', 'diamond'] }, legend: null } },
        },
      ],
    },
    config: { font: 'DejaVu Sans, Arial, sans-serif', background: 'white', view: { stroke: '#ccc' } },
  };
}

/** The plot's optional peer packages, as npm installs them; PNG also needs pngPackages. */
export const plotPackages = ['vega@^6.4.0', 'vega-lite@^6.4.3'];
/** What a PNG plot needs besides plotPackages. */
export const pngPackages = ['@resvg/resvg-js@^2.6.2'];

async function optionalImport(names: string[], packages: string[], what: string): Promise<any[]> { // eslint-disable-line
  try {
    return await Promise.all(names.map((n) => esmImport(n)));
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new NaluError(`${what} need the optional packages ${names.join(' and ')}: npm install ${packages.join(' ')}`, 'MISSING_DEPENDENCY');
  }
}

/** vega and vega-lite, or a NaluError MISSING_DEPENDENCY naming what to install. */
export async function loadVega(): Promise<[any, any]> { // eslint-disable-line
  return (await optionalImport(['vega', 'vega-lite'], plotPackages, 'plots')) as [any, any]; // eslint-disable-line
}

/** Everything a plot to `file` needs (vega, vega-lite, and for .png resvg-js), or MISSING_DEPENDENCY. */
export async function loadPlotPackages(file: string): Promise<void> {
  await loadVega();
  if (/\.png$/i.test(file)) await optionalImport(['@resvg/resvg-js'], pngPackages, 'PNG plots');
}

/** Renders the chart to an SVG string. @category Tables */
export async function successRateSvg(rows: SummaryRow[], title?: string): Promise<string> {
  const spec = successRateSpec(rows, title);
  const [vega, vl] = await loadVega();
  // Vega-Lite warns about its own heuristics for faceted independent scales; errors still throw.
  const compiled = vl.compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders the chart to PNG bytes at `scale` pixels per SVG unit (resvg, the system's fonts). @category Tables */
export async function successRatePng(rows: SummaryRow[], title?: string, scale = 2): Promise<Uint8Array> {
  if (typeof scale !== 'number' || !(scale > 0 && scale <= 8)) throw new RangeError(`scale: expected a number in (0, 8], received ${String(scale)}`);
  const svg = await successRateSvg(rows, title);
  const [resvg] = await optionalImport(['@resvg/resvg-js'], pngPackages, 'PNG plots');
  const Resvg = resvg.Resvg ?? resvg.default.Resvg;
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
