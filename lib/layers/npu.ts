// NPU and RealNPU (Heim, Pevný & Šmídl 2020, "Neural Power Units"). ĝ = clamp(g, 0, 1) per input,
// r = ĝ ⊙ (|x| + ε) + (1 − ĝ), k = ĝ ⊙ π·[x < 0];
// NPU: z = exp(log r·W_re − k·W_im) ⊙ cos(k·W_re + log r·W_im); RealNPU: z = exp(log r·W) ⊙ cos(k·W).
import type { NativeOptions } from '../../binding';
import { constant, type Initializer, type InitializerLike } from '../initializers';
import { checkNumber } from '../registry';
import { Layer, initializerArg, type LayerArgs, type WeightSpec } from './layer';

export interface RealNPUArgs extends LayerArgs {
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
  constructor(args: RealNPUArgs, extraKeys: readonly string[] = []) {
    super(args, ['kernelInitializer', 'gateInitializer', 'epsilon', ...extraKeys]);
    const cls = this.className;
    this.kernelInitializer = initializerArg(args.kernelInitializer, `${cls}.kernelInitializer`, 'glorotUniform');
    this.gateInitializer = initializerArg(args.gateInitializer, `${cls}.gateInitializer`, constant(0.5));
    this.epsilon = checkNumber(args.epsilon ?? 1.1920929e-7, `${cls}.epsilon`, 1e-30, 1);
  }
  protected get nativeType() {
    return 'realnpu';
  }
  protected nativeOptions(): NativeOptions {
    return { kernelInitializer: this.kernelInitializer.toNative(), gateInitializer: this.gateInitializer.toNative(), epsilon: this.epsilon };
  }
  protected ownConfig(): Record<string, unknown> {
    return { kernelInitializer: this.kernelInitializer.getConfig(), gateInitializer: this.gateInitializer.getConfig(), epsilon: this.epsilon };
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
