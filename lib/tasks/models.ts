// The models of the benchmark tables, as in stable-nalu's SimpleFunctionStaticNetwork: two
// layers (input → 2 hidden → 1) of the named units, or one unit for the single-module task; on
// the recurrent task the first is an RNN's cell, or an LSTM (SimpleFunctionRecurrentNetwork).
// Units resolve through the layer registry, so a model is offered once its units exist.
import type { Layer } from '../layers/layer';
import { layerRegistry } from '../layers';
import { RNN } from '../layers/rnn';
import { randomUniform } from '../initializers';
import { Registry } from '../registry';
import type { ArithmeticOp, TaskDefinition, TaskInstance, TrainingSettings } from './arithmetic';

/** Hyper-parameters a model's units take from the task instance and the run's settings. @category Models */
export type ModelContext = Pick<TaskInstance, 'op' | 'depth' | 'recurrent' | 'inputSize' | 'hiddenSize'> &
  Pick<TrainingSettings, 'sparsityLambda' | 'sparsityStart' | 'sparsityEnd'> &
  Partial<Pick<TrainingSettings, 'l1Start' | 'l1End'>>;

/** One layer of a model: its unit and how the benchmark sets it up. @category Models */
export interface UnitSpec {
  /** Class name in the layer registry. */
  unit: string;
  /** Options of the layer besides units, inputDim and seed. */
  options?: Record<string, unknown>;
  /** Takes the sparsity regularizer's options (sparsityLambda, sparsityStart, sparsityEnd). */
  regularized?: boolean;
  /** Takes the L1 schedule's options (l1Start, l1End). */
  l1?: boolean;
  /** Initialized as stable-nalu's NAC layer: U[−r, r] with fan·Var(W) = 2 (nacInitRange). */
  nacInit?: boolean;
  /** A layer that reads the time axis itself (LSTM): the recurrent task's first layer as it is, not an RNN's cell; no other task's. */
  sequence?: boolean;
}

/** A model of the benchmark tables ('nau-nmu', 'nalu', …): its units and its paper's settings. @category Models */
export interface ModelDefinition {
  /** Its name in modelRegistry. */
  name: string;
  /** One sentence for `nalu models`. */
  description: string;
  /** The layers' units, first to last. */
  units(ctx: Pick<ModelContext, 'op' | 'depth'>): UnitSpec[];
  /** The training settings its paper used for it on `task`, where they differ from the task's. */
  settings?(task: string, op: ArithmeticOp): Partial<TrainingSettings>;
}

/** The benchmark's models by name; availableModels() lists those whose units exist. @category Models */
export const modelRegistry = new Registry<ModelDefinition>('model');

// The units as stable-nalu's networks set them up (its NAC-family layers share one init).
const NAU: UnitSpec = { unit: 'NAU', regularized: true };
const NMU: UnitSpec = { unit: 'NMU', regularized: true };
const NAC: UnitSpec = { unit: 'NAC', nacInit: true };
const NALU: UnitSpec = { unit: 'NALU', nacInit: true };
const NACMul: UnitSpec = { unit: 'NACMul', nacInit: true };
// stable-nalu PosNAC (xavier_normal Ŵ, the unit's default) and ReRegualizedLinearPosNAC, in log space.
const NACMulSigma: UnitSpec = { unit: 'NACMul', options: { weight: 'sigma' } };
const NACMulNMU: UnitSpec = { unit: 'NACMul', options: { weight: 'nmu' }, regularized: true };
const GatedNAUNMU: UnitSpec = { unit: 'GatedNAUNMU', regularized: true };
const INALU: UnitSpec = { unit: 'INALU' };
const NPU: UnitSpec = { unit: 'NPU', l1: true };
const RealNPU: UnitSpec = { unit: 'RealNPU', l1: true };
const SignNMRU: UnitSpec = { unit: 'NMRU', options: { signRetrieval: true }, regularized: true };
// stable-nalu's BasicLayer: Kaiming-uniform for ReLU/ReLU6, Xavier-uniform otherwise; bias on.
const Dense = (activation: string): UnitSpec => ({
  unit: 'Dense',
  options: { activation, kernelInitializer: activation.startsWith('relu') ? 'heUniform' : 'glorotUniform' },
});

// stable-nalu's torch LSTMCell (torch's initialization) and its linear output layer: BasicLayer 'linear', no bias.
const LSTMUnit: UnitSpec = { unit: 'LSTM', sequence: true };
const LinearOut: UnitSpec = { unit: 'Dense', options: { activation: 'linear', useBias: false, kernelInitializer: 'glorotUniform' } };

const additive = (op: ArithmeticOp) => op === 'add' || op === 'sub';
const pair = (first: UnitSpec, second: UnitSpec) => (c: Pick<ModelContext, 'depth'>) => (c.depth === 2 ? [first, second] : [second]);
const dense = (activation: string) => (c: Pick<ModelContext, 'depth'>) => (c.depth === 2 ? [Dense(activation), Dense('linear')] : [Dense(activation)]);

/**
 * The NAU model: stable-nalu lfs_batch_jobs/function_task_static.sh (ReRegualizedLinearNAC with
 * --regualizer 0.01 --regualizer-scaling-start 5000 --regualizer-scaling-end 50000); nalm-benchmark's
 * single_layer_benchmark.sh (add/sub NAU: --regualizer 0.01, 20000 → 35000, the task's schedule).
 */
const nauSettings = (task: string): Partial<TrainingSettings> =>
  task === 'static' ? { sparsityLambda: 0.01, sparsityStart: 5e3, sparsityEnd: 5e4 } : task === 'recurrent' ? {} : { sparsityLambda: 0.01 };

/**
 * nalm-benchmark single_layer_benchmark.sh, NPU and RealNPU: --learning-rate 5e-3 --regualizer-l1 with
 * β 1e-7 → 1e-5 for ×, 1e-9 → 1e-7 for ÷ (×10 every 10⁴ steps); it ran neither on + or −, which get ×'s.
 */
const npuSettings = (_task: string, op: ArithmeticOp): Partial<TrainingSettings> =>
  op === 'div' ? { learningRate: 5e-3, l1Start: 1e-9, l1End: 1e-7 } : { learningRate: 5e-3, l1Start: 1e-7, l1End: 1e-5 };

const definitions: ModelDefinition[] = [
  {
    name: 'nau-nmu',
    description: "the paper's units: NAU → NAU for + and −, NAU → NMU for ×, ÷, z², √z (Table 1's NAU and NMU rows), each with its settings",
    units: (c) => pair(NAU, additive(c.op) ? NAU : NMU)(c),
    settings: (task, op) => (additive(op) ? nauSettings(task) : {}),
  },
  { name: 'nau', description: 'NAU → NAU (Madsen & Johansen 2020), λ̂ 0.01', units: pair(NAU, NAU), settings: nauSettings },
  { name: 'nmu', description: 'NAU → NMU (Madsen & Johansen 2020), λ̂ 10', units: pair(NAU, NMU) },
  { name: 'nalu', description: 'NALU → NALU (Trask et al. 2018)', units: pair(NALU, NALU) },
  { name: 'nac', description: "NAC → NAC, the paper's NAC₊ (Trask et al. 2018)", units: pair(NAC, NAC) },
  { name: 'nac-mul', description: "NAC → NAC•, the paper's NAC• (Trask et al. 2018)", units: pair(NAC, NACMul) },
  {
    name: 'nac-mul-sigma',
    description: "NAC → NAC• with W = σ(Ŵ), the paper's NAC•,σ (stable-nalu PosNAC in log space)",
    units: pair(NAC, NACMulSigma),
  },
  {
    name: 'nac-mul-nmu',
    description: "NAU → NAC• with the NMU's clamped weights and regularizer, the paper's NAC•,NMU",
    units: pair(NAU, NACMulNMU),
  },
  {
    name: 'gated-nau-nmu',
    description: "Gated NAU/NMU → Gated NAU/NMU, a NALU-style gate between an NAU and an NMU (the paper's Gated NAU/NMU)",
    units: pair(GatedNAUNMU, GatedNAUNMU),
  },
  {
    name: 'inalu',
    description: 'iNALU → iNALU (Schlör et al. 2020), gradients clipped to ±0.1 as Mistry et al. 2021 ran it',
    units: pair(INALU, INALU),
    // nalm-benchmark single_layer_benchmark.sh, iNALU: --clip-grad-value 0.1.
    settings: () => ({ clipValue: 0.1 }),
  },
  { name: 'npu', description: 'NAU → NPU (Heim et al. 2020), lr 5e-3 and the L1 schedule of Mistry et al. 2021', units: pair(NAU, NPU), settings: npuSettings },
  { name: 'realnpu', description: 'NAU → RealNPU (Heim et al. 2020), lr 5e-3 and the L1 schedule of Mistry et al. 2021', units: pair(NAU, RealNPU), settings: npuSettings },
  {
    name: 'nmru',
    description: 'NAU → NMRU with sign retrieval, the division unit of Mistry et al. 2021 (lr 1e-2, gradient norm clipped to 1)',
    units: pair(NAU, SignNMRU),
    // nalm-division lfs_batch_jobs/single_layer_task/neurips_2021/sltr-in2.sh: SignNMRU --clip-grad-norm 1 --learning-rate 1e-2.
    settings: () => ({ learningRate: 1e-2, clipNorm: 1 }),
  },
  { name: 'linear', description: 'Dense (linear, bias) → Dense (linear)', units: dense('linear') },
  { name: 'relu', description: 'Dense (ReLU, bias) → Dense (linear)', units: dense('relu') },
  { name: 'relu6', description: 'Dense (ReLU6, bias) → Dense (linear)', units: dense('relu6') },
  // stable-nalu's RNN-tanh cell with its linear output layer: the recurrent task's baseline.
  { name: 'tanh', description: 'Dense (tanh, bias) → Dense (linear); an RNN-tanh cell on the recurrent task', units: dense('tanh') },
  // stable-nalu simple_function_recurrent.py with --layer-type LSTM: LSTM (2 hidden) → linear.
  { name: 'lstm', description: 'LSTM (torch init) → Dense (linear, no bias); the recurrent task only (Hoedt et al. 2021, Table 2)', units: () => [LSTMUnit, LinearOut] },
];
for (const d of definitions) modelRegistry.register(d.name, d);

/**
 * The paper's training settings of `model` on `task` for `op`: the task's, then the model's own.
 * A model without a regularized unit records λ̂ = 0 (no flag can switch one on), one without an NPU no L1.
 * @category Models
 */
export function modelSettings(model: string, task: TaskDefinition, op: ArithmeticOp): TrainingSettings {
  const d = modelRegistry.get(model, 'model');
  const s = { ...task.settings, ...d.settings?.(task.name, op) };
  const units = d.units({ op, depth: task.instances(op)[0].depth });
  const sparsity = units.some((u) => u.regularized) ? {} : { sparsityLambda: 0, sparsityStart: 0, sparsityEnd: 0 };
  const l1 = units.some((u) => u.l1) ? {} : { l1Start: 0, l1End: 0 };
  return { ...s, ...sparsity, ...l1 };
}

function unitAvailable(u: UnitSpec): boolean {
  return layerRegistry.has(u.unit);
}

/** True when every unit the model uses (for any operation) is registered. @category Models */
export function modelAvailable(name: string): boolean {
  const d = modelRegistry.get(name, 'model');
  return (['add', 'mul'] as const).every((op) => ([1, 2] as const).every((depth) => d.units({ op, depth }).every(unitAvailable)));
}

/** Whether the model's first layer reads sequences itself (an LSTM): it runs on the recurrent task only. @category Models */
export function sequenceModel(name: string): boolean {
  return modelRegistry.get(name, 'model').units({ op: 'add', depth: 2 }).some((u) => u.sequence === true);
}

/** Names of the models whose units exist now. @category Models */
export function availableModels(): string[] {
  return modelRegistry.names().filter(modelAvailable);
}

/**
 * Half-width r of stable-nalu's U[−r, r] for the NAC's Ŵ and M̂ (layer/nac.py, reset_parameters):
 * the r at which W = tanh(Ŵ)·σ(M̂) has Var(W) = 2 / fan, fan = max(fanIn + fanOut, 5), found by
 * bisection on [0, 10]. Var(W) for Ŵ, M̂ ~ U[−r, r] is (1 − tanh(r)/r)·(r − tanh(r/2))/(2r).
 * For the static task: 0.504 for 100 → 2 and 9.47 for 2 → 1 (Glorot would give 0.243 and 1.41).
 * @category Models
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

/**
 * The layers of `name` for one task instance; layer i gets seed `seeds[i]`.
 * @throws RangeError for an unknown model or a unit this build lacks.
 * @category Models
 */
export function buildModel(name: string, ctx: ModelContext, seeds: number[]): Layer[] {
  const d = modelRegistry.get(name, 'model');
  const units = d.units(ctx);
  const missing = units.filter((u) => !unitAvailable(u));
  if (missing.length) throw new RangeError(`model '${name}': unit ${missing.map((u) => u.unit).join(', ')} is not available in this build`);
  if (!ctx.recurrent && units.some((u) => u.sequence))
    throw new RangeError(`model '${name}': its ${units.find((u) => u.sequence)!.unit} reads sequences; use it on the recurrent task only`);
  return units.map((u, i) => {
    const out = i === units.length - 1 ? 1 : ctx.hiddenSize;
    // A recurrent cell sees [x_t, h_{t−1}] (stable-nalu's GeneralizedCell: input + hidden inputs).
    const cell = ctx.recurrent && i === 0;
    const config: Record<string, unknown> = { units: out, seed: seeds[i], ...u.options };
    if (i === 0 && !cell) config.inputDim = ctx.inputSize;
    if (u.regularized)
      Object.assign(config, { sparsityLambda: ctx.sparsityLambda, sparsityStart: ctx.sparsityStart, sparsityEnd: ctx.sparsityEnd, sparsityUnit: 'steps' });
    if (u.l1 && ctx.l1Start) Object.assign(config, { l1Start: ctx.l1Start, l1End: ctx.l1End });
    if (u.nacInit) {
      // NALU shares this NAC between both paths; its gate G is Xavier-uniform with gain 1, the layer's default.
      const r = nacInitRange(i === 0 ? ctx.inputSize + (cell ? out : 0) : ctx.hiddenSize, out);
      config.kernelInitializer = randomUniform({ minval: -r, maxval: r });
    }
    if (cell && u.sequence) {
      const Seq = layerRegistry.get(u.unit, 'unit') as unknown as new (a: Record<string, unknown>) => Layer;
      return new Seq({ ...config, inputDim: ctx.inputSize });
    }
    if (cell) {
      const { units, seed, ...cellOptions } = config;
      return new RNN({ units: units as number, seed: seed as number, inputDim: ctx.inputSize, cell: u.unit, cellOptions });
    }
    const Ctor = layerRegistry.get(u.unit, 'unit') as unknown as new (a: Record<string, unknown>) => Layer;
    return new Ctor(config);
  });
}
