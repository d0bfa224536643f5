#include "core.h"

#include <cblas.h>

#include <sstream>

namespace nalu {

static std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

double Options::number(const std::string& k, double def) const {
  if (str.count(k) || obj.count(k)) typeError(where(k) + ": expected a number");
  auto it = num.find(k);
  return it == num.end() ? def : it->second;
}

double Options::number(const std::string& k, double def, double lo, double hi) const {
  double v = number(k, def);
  if (std::isnan(v) || v < lo || v > hi)
    rangeError(where(k) + ": expected a number in [" + fmt(lo) + ", " + fmt(hi) + "], received " + fmt(v));
  return v;
}

int64_t Options::integer(const std::string& k, int64_t def, int64_t lo, int64_t hi) const {
  double v = number(k, double(def));
  if (!(v >= double(lo) && v <= double(hi)) || v != std::floor(v))
    rangeError(where(k) + ": expected an integer in [" + fmt(double(lo)) + ", " + fmt(double(hi)) +
               "], received " + fmt(v));
  return int64_t(v);
}

bool Options::flag(const std::string& k, bool def) const {
  double v = number(k, def ? 1 : 0);
  return v != 0;
}

std::string Options::string(const std::string& k, const std::string& def) const {
  if (num.count(k) || obj.count(k)) typeError(where(k) + ": expected a string");
  auto it = str.find(k);
  return it == str.end() ? def : it->second;
}

std::string Options::choice(const std::string& k, const std::string& def,
                            const std::vector<std::string>& allowed) const {
  std::string v = string(k, def);
  for (auto& a : allowed)
    if (a == v) return v;
  rangeError(where(k) + ": expected one of " + joinNames(allowed) + ", received '" + v + "'");
}

const Options* Options::object(const std::string& k) const {
  auto it = obj.find(k);
  return it == obj.end() ? nullptr : &it->second;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", '" : "'") + names[i] + "'";
  return s;
}

void gemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, const float* B,
          float beta, float* C) {
  if (M == 0 || N == 0) return;
  int lda = transA ? M : K, ldb = transB ? K : N;
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, M, N, K,
              alpha, A, lda, B, ldb, beta, C, N);
}

}  // namespace nalu
