// Factories of every unit (one .cc file each); registered by name in layer.cc.
#pragma once
#include "layer.h"

namespace nalu {

// Reads the mandatory `units` option.
int unitsOption(const Options& o);

std::unique_ptr<Layer> makeDense(int in, const Options& o);
std::unique_ptr<Layer> makeNAC(int in, const Options& o);
std::unique_ptr<Layer> makeNALU(int in, const Options& o);
std::unique_ptr<Layer> makeNAU(int in, const Options& o);
std::unique_ptr<Layer> makeNMU(int in, const Options& o);
std::unique_ptr<Layer> makeNACMul(int in, const Options& o);
std::unique_ptr<Layer> makeINALU(int in, const Options& o);
std::unique_ptr<Layer> makeNPU(int in, const Options& o);
std::unique_ptr<Layer> makeRealNPU(int in, const Options& o);
std::unique_ptr<Layer> makeNMRU(int in, const Options& o);
std::unique_ptr<Layer> makeGatedNAUNMU(int in, const Options& o);

// Matrix counts that depend on the options (layerMatrices); they never throw.
int naluMatrices(const Options& o);
int nacMulMatrices(const Options& o);

}  // namespace nalu
