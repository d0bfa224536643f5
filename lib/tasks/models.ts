// The models of the benchmark tables, as in stable-nalu's SimpleFunctionStaticNetwork: two
// layers (input → 2 hidden → 1) of the named units, or one unit for the single-module task.
// Units resolve through the layer registry, so a model is offered once its units exist.
import type { Layer } from '../layers/layer';
import { layerRegistry } from '../layers/registry';
import { randomUniform } from '../initializers';
import { Registry } from '../registry';
import type { ArithmeticOp } from './arithmetic';

/** Hyper-parameters a model's units take from the task/CLI. */
export interface ModelContext {
  op: ArithmeticOp;
  depth: 1 | 2;
  inputSize: number;
  hiddenSize: number;
  /** NAU/NMU sparsity regularizer (λ̂, warm-up start and end in steps). */
  sparsityLambda: number;
  sparsityStart: number;
  sparsityEnd: number;
}

export interface ModelDefinition {
  name: string;
  description: string;
  /** Class names of the layers' units (layer registry), first to last. */
  units(ctx: Pick<ModelContext, 'op' | 'depth'>): string[];
}

export const modelRegistry = new Registry<ModelDefinition>('model');

const additive = (op: ArithmeticOp) => op === 'add' || op === 'sub';
const pair = (first: string, second: string) => (c: Pick<ModelContext, 'depth'>) => (c.depth === 2 ? [first, second] : [second]);
const dense = (activation: string) => (c: Pick<ModelContext, 'depth'>) =>
  c.depth === 2 ? [`Dense:${activation}`, 'Dense:linear'] : [`Dense:${activation}`];

const definitions: ModelDefinition[] = [
  {
    name: 'nau-nmu',
    description: "the paper's units: NAU → NAU for + and −, NAU → NMU for ×, ÷, z², √z (Table 1's NAU and NMU rows)",
    units: (c) => pair('NAU', additive(c.op) ? 'NAU' : 'NMU')(c),
  },
  { name: 'nau', description: 'NAU → NAU (Madsen & Johansen 2020)', units: pair('NAU', 'NAU') },
  { name: 'nmu', description: 'NAU → NMU (Madsen & Johansen 2020)', units: pair('NAU', 'NMU') },
  { name: 'nalu', description: 'NALU → NALU (Trask et al. 2018)', units: pair('NALU', 'NALU') },
  { name: 'nac', description: 'NAC → NAC, the paper\'s NAC₊ (Trask et al. 2018)', units: pair('NAC', 'NAC') },
  { name: 'nac-mul', description: "NAC → NAC•, the paper's NAC• (Trask et al. 2018)", units: pair('NAC', 'NACMul') },
  { name: 'inalu', description: 'iNALU → iNALU (Schlör et al. 2020)', units: pair('INALU', 'INALU') },
  { name: 'npu', description: 'NAU → NPU (Heim et al. 2020)', units: pair('NAU', 'NPU') },
  { name: 'realnpu', description: 'NAU → RealNPU (Heim et al. 2020)', units: pair('NAU', 'RealNPU') },
  { name: 'nmru', description: 'NAU → NMRU, the division unit (Mistry et al. 2021)', units: pair('NAU', 'NMRU') },
  { name: 'linear', description: 'Dense (linear, bias) → Dense (linear)', units: dense('linear') },
  { name: 'relu', description: 'Dense (ReLU, bias) → Dense (linear)', units: dense('relu') },
  { name: 'relu6', description: 'Dense (ReLU6, bias) → Dense (linear)', units: dense('relu6') },
];
for (const d of definitions) modelRegistry.register(d.name, d);

function unitAvailable(u: string): boolean {
  return layerRegistry.has(u.startsWith('Dense:') ? 'Dense' : u);
}

/** True when every unit the model uses (for any operation) is registered. */
export function modelAvailable(name: string): boolean {
  const d = modelRegistry.get(name, 'model');
  return (['add', 'mul'] as const).every((op) => ([1, 2] as const).every((depth) => d.units({ op, depth }).every(unitAvailable)));
}

/** Names of the models whose units exist now. */
export function availableModels(): string[] {
  return modelRegistry.names().filter(modelAvailable);
}

/**
 * Half-width r of stable-nalu's U[−r, r] for the NAC's Ŵ and M̂ (layer/nac.py, reset_parameters):
 * the r at which W = tanh(Ŵ)·σ(M̂) has Var(W) = 2 / fan, fan = max(fanIn + fanOut, 5), found by
 * bisection on [0, 10]. Var(W) for Ŵ, M̂ ~ U[−r, r] is (1 − tanh(r)/r)·(r − tanh(r/2))/(2r).
 * For the static task: 0.504 for 100 → 2 and 9.47 for 2 → 1 (Glorot would give 0.243 and 1.41).
 */
export function nacInitRange(fanIn: number, fanOut: number): number {
  const fan = Math.max(fanIn + fanOut, 5);
  const variance = (r: number) => ((1 - Math.tanh(r) / r) * (r - Math.tanh(r / 2))) / (2 * r);
  // fan·Var(r) − 2 grows with r; at r → 0 it is −2 and at r = 10 it is positive for any fan ≥ 5.
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 100 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (fan * variance(mid) - 2 < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The layers of `name` for one task instance; layer i gets seed `seeds[i]`. */
export function buildModel(name: string, ctx: ModelContext, seeds: number[]): Layer[] {
  const d = modelRegistry.get(name, 'model');
  const units = d.units(ctx);
  const missing = units.filter((u) => !unitAvailable(u));
  if (missing.length) throw new RangeError(`model '${name}': unit ${missing.join(', ')} is not available in this build`);
  const sparsity = { sparsityLambda: ctx.sparsityLambda, sparsityStart: ctx.sparsityStart, sparsityEnd: ctx.sparsityEnd };
  return units.map((u, i) => {
    const last = i === units.length - 1;
    const out = last ? 1 : ctx.hiddenSize;
    const fanIn = i === 0 ? ctx.inputSize : ctx.hiddenSize;
    const config: Record<string, unknown> = { units: out, seed: seeds[i] };
    if (i === 0) config.inputDim = ctx.inputSize;
    let cls = u;
    if (u.startsWith('Dense:')) {
      cls = 'Dense';
      const activation = u.slice(6);
      config.activation = activation;
      // stable-nalu's BasicLayer: Kaiming-uniform for ReLU/ReLU6, Xavier-uniform otherwise; bias on.
      config.kernelInitializer = activation.startsWith('relu') ? 'heUniform' : 'glorotUniform';
    } else if (cls === 'NAU' || cls === 'NMU') Object.assign(config, sparsity);
    else if (cls === 'NAC' || cls === 'NALU' || cls === 'NACMul') {
      // The reference's NAC initialization (NALU shares its NAC between both paths; its gate G
      // is Xavier-uniform with gain 1, the layer's glorotUniform default).
      const r = nacInitRange(fanIn, out);
      config.kernelInitializer = randomUniform({ minval: -r, maxval: r });
    }
    const Ctor = layerRegistry.get(cls, 'unit') as unknown as new (a: Record<string, unknown>) => Layer;
    return new Ctor(config);
  });
}
