// The layers barrel: every unit, in registration order (the order layerRegistry.names() and its
// "expected one of" errors list them in). Importing it registers every unit.
export { Layer, type LayerArgs, type WeightSpec, type KernelRegularizer, type KernelConstraint } from './layer';
export { Dense, type DenseArgs, type Activation, activationRegistry } from './dense';
export { NAC, type NACArgs } from './nac';
export { NALU, type NALUArgs, type GateKind } from './nalu';
export { NAU, type NAUArgs } from './nau';
export { NMU, type NMUArgs } from './nmu';
export { NACMul, type NACMulArgs, type NACMulWeight } from './nacmul';
export { INALU, type INALUArgs } from './inalu';
export { NPU, RealNPU, type NPUArgs, type RealNPUArgs } from './npu';
export { NMRU, type NMRUArgs } from './nmru';
export { GatedNAUNMU, type GatedNAUNMUArgs } from './gated';
export { RNN, type RNNArgs } from './rnn';
export { LSTM, type LSTMArgs } from './lstm';
export { SpatialLayer, type SpatialArgs, type Padding, type OutputShapeOf } from './spatial';
export { Conv2D, type Conv2DArgs } from './conv2d';
export { MaxPool2D, type MaxPool2DArgs } from './pool2d';
export { TimeDistributed, type TimeDistributedArgs } from './time-distributed';
export type { Sparsity, SparsityArgs, SparsityUnit } from './sparsity';
export { layerRegistry, registerLayer, deserializeLayer } from './registry';
