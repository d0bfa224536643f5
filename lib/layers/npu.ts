// NPU and RealNPU (Heim, Pevný & Šmídl 2020, "Neural Power Units"). ĝ = clamp(g, 0, 1) per input,
// r = ĝ ⊙ (|x| + ε) + (1 − ĝ), k = ĝ ⊙ π·[x < 0];
// NPU: z = exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im); RealNPU: z = exp(log r·W) ⊙ cos(k·W).
// Optional L1 penalty β·Σ|p| over all the unit's parameters with Mistry et al.'s (2021) step schedule
// for β (see NPUL1 below and native/kernels/npu.cc).
import type { NativeOptions } from '../../binding';
import { constant, type Initializer, type InitializerLike } from '../initializers';
import { checkNumber } from '../registry';
import { Layer, epsilonArg, initializerArg, type LayerArgs, type WeightSpec } from './layer';
import { registerLayer } from './registry';

/**
 * The L1 penalty β·Σ|p|, summed over every parameter of the unit (W or W_re, W_im, and the raw gate g),
 * of Mistry et al. 2021 (nalm-benchmark single_layer_benchmark.py, --regualizer-l1 with
 * --regualizer-beta-start/-end/-step/-growth). β = l1Start at step 0; at every step t > 0 with
 * t % l1Step == 0, β ×= l1Growth while β < l1End (÷ l1Growth while β > l1End when l1Start > l1End);
 * t = optimizer steps taken before this one. l1End must be l1Start·l1Growth^±k for an integer k, so β
 * stops on it (past an l1End off that grid the reference flips between the two levels around it).
 */
export interface NPUL1Args {
  /** β at step 0. Default 0: no penalty. */
  l1Start?: number;
  /** The β the schedule stops at. Default l1Start (constant β). */
  l1End?: number;
  /** Steps between two changes of β. Default 10000. */
  l1Step?: number;
  /** Factor of each change. Default 10. */
  l1Growth?: number;
}

export interface NPUL1 {
  l1Start: number;
  l1End: number;
  l1Step: number;
  l1Growth: number;
}

const l1Keys = ['l1Start', 'l1End', 'l1Step', 'l1Growth'] as const;

function checkL1(args: NPUL1Args, cls: string): NPUL1 {
  const l1Start = checkNumber(args.l1Start ?? 0, `${cls}.l1Start`, 0, 1e30);
  const l1End = checkNumber(args.l1End ?? l1Start, `${cls}.l1End`, 0, 1e30);
  const l1Step = checkNumber(args.l1Step ?? 10000, `${cls}.l1Step`, 1, 1e18, true);
  const l1Growth = checkNumber(args.l1Growth ?? 10, `${cls}.l1Growth`, 1, 1e30);
  if (l1End !== l1Start) {
    const refuse = (why: string) =>
      new RangeError(`${cls}.l1End: expected ${why}, received ${l1End} (l1Start ${l1Start}, l1Growth ${l1Growth})`);
    if (l1Start === 0) throw refuse('0 when l1Start is 0 (β = 0 never grows)');
    if (l1End === 0) throw refuse('a number > 0 (β never reaches 0 by division)');
    if (l1Growth === 1) throw refuse('l1Start when l1Growth is 1 (β stays at l1Start)');
    const k = Math.round(Math.abs(Math.log(l1End / l1Start)) / Math.log(l1Growth));
    const f = l1Growth ** k, reached = l1End > l1Start ? l1Start * f : l1Start / f;
    if (!(k >= 1 && k <= 1e18 && Math.abs(reached - l1End) <= 1e-9 * l1End))
      throw refuse('l1Start·l1Growth^k or l1Start/l1Growth^k for an integer k >= 1, so that the schedule stops at it');
  }
  return { l1Start, l1End, l1Step, l1Growth };
}

export interface RealNPUArgs extends LayerArgs, NPUL1Args {
  /** Initializer of the (real) weights. Default 'glorotUniform'. */
  kernelInitializer?: InitializerLike;
  /** Initializer of the relevance gate g [in]. Default constant 0.5. */
  gateInitializer?: InitializerLike;
  /** ε in |x| + ε. Default 1.1920929e-7 (float32 machine epsilon, as the paper's code). */
  epsilon?: number;
}

export interface NPUArgs extends RealNPUArgs {
  /** Initializer of W_im. Default 'zeros'. */
  imaginaryInitializer?: InitializerLike;
}

export class RealNPU extends Layer {
  static readonly className: string = 'RealNPU';
  readonly kernelInitializer: Initializer;
  readonly gateInitializer: Initializer;
  readonly epsilon: number;
  /** The L1 penalty's schedule (l1Start 0: off). */
  readonly l1: NPUL1;
  constructor(args: RealNPUArgs, extraKeys: readonly string[] = []) {
    super(args, ['kernelInitializer', 'gateInitializer', 'epsilon', ...l1Keys, ...extraKeys]);
    const cls = this.className;
    this.kernelInitializer = initializerArg(args.kernelInitializer, `${cls}.kernelInitializer`, 'glorotUniform');
    this.gateInitializer = initializerArg(args.gateInitializer, `${cls}.gateInitializer`, constant(0.5));
    this.epsilon = epsilonArg(args.epsilon, `${cls}.epsilon`, 1.1920929e-7);
    this.l1 = checkL1(args, cls);
  }
  protected get nativeType() {
    return 'realnpu';
  }
  protected nativeOptions(): NativeOptions {
    return { kernelInitializer: this.kernelInitializer.toNative(), gateInitializer: this.gateInitializer.toNative(), epsilon: this.epsilon, ...this.l1 };
  }
  protected ownConfig(): Record<string, unknown> {
    return { kernelInitializer: this.kernelInitializer.getConfig(), gateInitializer: this.gateInitializer.getConfig(), epsilon: this.epsilon, ...this.l1 };
  }
  weightSpecs(inputDim: number): WeightSpec[] {
    return [
      { name: 'W', shape: [inputDim, this.units] },
      { name: 'g', shape: [inputDim] },
    ];
  }
}

export class NPU extends RealNPU {
  static override readonly className: string = 'NPU';
  readonly imaginaryInitializer: Initializer;
  constructor(args: NPUArgs) {
    super(args, ['imaginaryInitializer']);
    this.imaginaryInitializer = initializerArg(args.imaginaryInitializer, 'NPU.imaginaryInitializer', 'zeros');
  }
  protected override get nativeType() {
    return 'npu';
  }
  protected override nativeOptions(): NativeOptions {
    return { ...super.nativeOptions(), imaginaryInitializer: this.imaginaryInitializer.toNative() };
  }
  protected override ownConfig() {
    return { ...super.ownConfig(), imaginaryInitializer: this.imaginaryInitializer.getConfig() };
  }
  override weightSpecs(inputDim: number): WeightSpec[] {
    const s = [inputDim, this.units];
    return [
      { name: 'W_re', shape: s },
      { name: 'W_im', shape: s },
      { name: 'g', shape: [inputDim] },
    ];
  }
}

// NPU first: the order layerRegistry.names() has always listed them in.
registerLayer(NPU);
registerLayer(RealNPU);
