// The layers on images (Conv2D, MaxPool2D): their float64 forward, straight from the definition
// (TensorFlow's padding, NHWC), for the gradient checks of test/conv2d.test.ts. They are not
// arithmetic units, so the per-unit table (toy tasks, explain, ONNX…) leaves them out.
import { Conv2D, MaxPool2D, type SpatialLayer } from '../../lib/index';
import { type Kinks, type UnitReference, type W, kink } from './common';
import { activation } from './dense';

export type LayerReference<L extends SpatialLayer = SpatialLayer> = Pick<UnitReference<L>, 'cls' | 'forward'>;

/** The window's [top, left] padding: TF's 'same' pads (out − 1)·s + k − n, less on top and left. */
function pads(layer: SpatialLayer, size: readonly number[], strides: readonly number[], same: boolean): [number, number] {
  const [H, Wd] = layer.inputShape, [Ho, Wo] = layer.outputShape;
  if (!same) return [0, 0];
  return [Math.floor(Math.max((Ho - 1) * strides[0] + size[0] - H, 0) / 2), Math.floor(Math.max((Wo - 1) * strides[1] + size[1] - Wd, 0) / 2)];
}

/** Calls f(outIndex, oh, ow, inputPixel | -1 in the padding, i, j) for every window cell. */
function windows(layer: SpatialLayer, size: readonly number[], strides: readonly number[], same: boolean, f: (o: number, i: number, j: number, pixel: number) => void) {
  const [H, Wd] = layer.inputShape, [Ho, Wo] = layer.outputShape;
  const [pt, pl] = pads(layer, size, strides, same);
  for (let oh = 0; oh < Ho; oh++)
    for (let ow = 0; ow < Wo; ow++)
      for (let i = 0; i < size[0]; i++)
        for (let j = 0; j < size[1]; j++) {
          const h = oh * strides[0] - pt + i, v = ow * strides[1] - pl + j;
          f(oh * Wo + ow, i, j, h < 0 || h >= H || v < 0 || v >= Wd ? -1 : h * Wd + v);
        }
}

export const conv2d: LayerReference<Conv2D> = {
  cls: Conv2D,
  forward(layer, ws: W[], x: W, rows: number, inp: number, kinks: Kinks) {
    const C = layer.inputShape[2], F = layer.filters, [KH, KW] = layer.kernelSize;
    const out = layer.units;
    const y = new Float64Array(rows * out);
    for (let r = 0; r < rows; r++) {
      const z = y.subarray(r * out, (r + 1) * out);
      if (layer.useBias) for (let k = 0; k < out; k++) z[k] = ws[1][k % F];
      windows(layer, [KH, KW], layer.strides, layer.padding === 'same', (o, i, j, pixel) => {
        if (pixel < 0) return;
        for (let c = 0; c < C; c++) {
          const xv = x[r * inp + pixel * C + c];
          for (let f = 0; f < F; f++) z[o * F + f] += xv * ws[0][((i * KW + j) * C + c) * F + f];
        }
      });
      for (let k = 0; k < out; k++) z[k] = activation(layer.activation, z[k], kinks);
    }
    return y;
  },
};

export const maxPool2d: LayerReference<MaxPool2D> = {
  cls: MaxPool2D,
  forward(layer, _ws: W[], x: W, rows: number, inp: number, kinks: Kinks) {
    const C = layer.inputShape[2], out = layer.units;
    const y = new Float64Array(rows * out);
    for (let r = 0; r < rows; r++) {
      const cells: number[][] = Array.from({ length: out }, () => []);
      windows(layer, layer.poolSize, layer.strides, layer.padding === 'same', (o, _i, _j, pixel) => {
        if (pixel >= 0) for (let c = 0; c < C; c++) cells[o * C + c].push(x[r * inp + pixel * C + c]);
      });
      cells.forEach((vs, k) => {
        const sorted = [...vs].sort((a, b) => b - a);
        y[r * out + k] = sorted[0];
        // A tie for the maximum is a kink: the gradient jumps from one input to the other.
        if (sorted.length > 1) kink(kinks, 'maxpool', sorted[0] - sorted[1]);
      });
    }
    return y;
  },
};

/** By className. */
export const spatialReferences: Record<string, LayerReference> = { Conv2D: conv2d as LayerReference, MaxPool2D: maxPool2d as LayerReference };
