// Node-API surface of the native convolution kernels. Every function takes the tfjs wasm
// backend's heap (its WebAssembly.Memory's ArrayBuffer) and a Float64Array of byte offsets and
// sizes, and computes in place on the heap: no copies in or out. Each region is bounds-checked
// against the heap before any kernel runs.
//
//   supported(): boolean                   the CPU has AVX2 and FMA (the kernels need both)
//   isa(name?): 'avx2' | 'avx512'          the kernels in use (AVX-512 when the CPU has it);
//                                          with a name, switches (tests compare both)
//   conv2d(heap, params)                   params: x, w, bias (−1: none), y, geometry…, relu
//   conv2dBackpropInput(heap, params)      params: dy, w, −1, dx, geometry…, 0
//   conv2dBackpropFilter(heap, params)     params: x, dy, −1, dW, geometry…, 0
//   maxPoolGrad(heap, params)              params: x, dy, −1, dx, geometry…, 0 (CI = the
//                                          channels, FH×FW the window, OH×OW dy's size)
//   reluGrad(heap, params)                 params: x, dy, −1, dx, geometry with B·IH·IW·CI the
//                                          element count (the rest 1), 0
//   relu(heap, params)                     params: x, 0, −1, y, as reluGrad
//
// geometry = B, IH, IW, CI, OH, OW, CO, FH, FW, sh, sw, dh, dw, pt, pl (the forward conv's).
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "conv.h"

namespace {

constexpr size_t kParams = 20;

enum class Kind { Forward, BackpropInput, BackpropFilter, MaxPoolGrad, ReluGrad, Relu };

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, "KDLENS_NATIVE", message.c_str());
  return nullptr;
}

bool CpuSupported() { return kdlens::detectIsa() != kdlens::Isa::None; }

napi_value Supported(napi_env env, napi_callback_info) {
  napi_value result;
  napi_get_boolean(env, CpuSupported(), &result);
  return result;
}

const char* IsaName(kdlens::Isa isa) {
  switch (isa) {
    case kdlens::Isa::Avx512:
      return "avx512";
    case kdlens::Isa::Avx2:
      return "avx2";
    default:
      return "none";
  }
}

// isa(): the kernels in use; isa("avx2" | "avx512"): use those (at most what the CPU has).
napi_value IsaFunction(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc == 1) {
    char name[16] = {0};
    size_t length = 0;
    if (napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &length) != napi_ok) {
      return Throw(env, "native kernels: isa() takes 'avx2' or 'avx512'");
    }
    const std::string wanted(name, length);
    if (wanted == "avx512") {
      kdlens::useIsa(kdlens::Isa::Avx512);
    } else if (wanted == "avx2") {
      kdlens::useIsa(kdlens::Isa::Avx2);
    } else {
      return Throw(env, "native kernels: isa() takes 'avx2' or 'avx512'");
    }
  }
  napi_value result;
  napi_create_string_utf8(env, IsaName(kdlens::activeIsa()), NAPI_AUTO_LENGTH, &result);
  return result;
}

// The region [offset, offset + floats·4) must lie inside the heap, 4-byte aligned.
bool Region(size_t heapBytes, double offset, double floats, size_t* out) {
  if (!(offset >= 0) || !(floats >= 0) || std::floor(offset) != offset ||
      std::floor(floats) != floats) {
    return false;
  }
  const double end = offset + floats * 4;
  if (end > static_cast<double>(heapBytes)) return false;
  const auto o = static_cast<size_t>(offset);
  if (o % 4 != 0) return false;
  *out = o;
  return true;
}

// The most elements any operand or internal buffer (the padded copy of x, the packed filter)
// may hold: 2^31 floats, 8 GiB, beyond any wasm heap.
constexpr int64_t kMaxElements = int64_t{1} << 31;

// a·b·c·d ≤ kMaxElements without overflow (all ≥ 0); false otherwise.
bool ProductFits(int64_t a, int64_t b, int64_t c, int64_t d, int64_t* out) {
  int64_t ab = 0, abc = 0, abcd = 0;
  if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc) ||
      __builtin_mul_overflow(abc, d, &abcd) || abcd > kMaxElements) {
    return false;
  }
  *out = abcd;
  return true;
}

// The extent of a dilated window, (f − 1)·d + 1, when it fits in kMaxElements.
bool Extent(int64_t f, int64_t d, int64_t* out) {
  int64_t span = 0;
  if (__builtin_mul_overflow(f - 1, d, &span) || __builtin_add_overflow(span, 1, out)) {
    return false;
  }
  return *out <= kMaxElements;
}

// One spatial axis of a convolution or pool: `out` windows of extent `extent`, stride `stride`,
// over `in` values with `pad` before them. The padding after them that this implies,
// (out − 1)·stride + extent − in − pad, must be in (−stride, extent), as tfjs' 'valid', 'same'
// and explicit pads give, and the padded axis (out − 1)·stride + extent must fit. Empty when
// the axis is consistent, else what is wrong, naming the arguments.
std::string CheckAxis(const char* outName, const char* inName, const char* padName, int64_t out,
                      int64_t in, int64_t extent, int64_t stride, int64_t pad) {
  if (pad >= extent) {
    return std::string(padName) + " = " + std::to_string(pad) +
           " must be less than the filter's extent " + std::to_string(extent);
  }
  int64_t span = 0, padded = 0;
  if (__builtin_mul_overflow(out - 1, stride, &span) ||
      __builtin_add_overflow(span, extent, &padded) || padded > kMaxElements) {
    return std::string(outName) + " = " + std::to_string(out) + " with stride " +
           std::to_string(stride) + " spans more than 2^31 values";
  }
  const int64_t after = padded - in - pad;  // |padded|, |in|, |pad| ≤ 2^31: no overflow
  if (after <= -stride || after >= extent) {
    return std::string(outName) + " = " + std::to_string(out) + " does not follow from " +
           inName + " = " + std::to_string(in) + ", " + padName + " = " + std::to_string(pad) +
           ", the stride and the filter's extent " + std::to_string(extent);
  }
  return "";
}

// Empty when g is a consistent geometry whose operands and internal buffers all fit in
// kMaxElements; else the error, naming the argument. Called only when the output is non-empty.
std::string CheckGeometry(const kdlens::ConvGeometry& g) {
  const char* names[9] = {"B", "IH", "IW", "CI", "OH", "OW", "CO", "FH", "FW"};
  const int64_t values[9] = {g.B, g.IH, g.IW, g.CI, g.OH, g.OW, g.CO, g.FH, g.FW};
  for (int i = 0; i < 9; i++) {
    if (values[i] < 1) return std::string(names[i]) + " must be >= 1 for a non-empty output";
  }
  int64_t effH = 0, effW = 0, n = 0;
  if (!Extent(g.FH, g.dh, &effH)) return "FH with dilation dh spans more than 2^31 values";
  if (!Extent(g.FW, g.dw, &effW)) return "FW with dilation dw spans more than 2^31 values";
  std::string bad = CheckAxis("OH", "IH", "pt", g.OH, g.IH, effH, g.sh, g.pt);
  if (bad.empty()) bad = CheckAxis("OW", "IW", "pl", g.OW, g.IW, effW, g.sw, g.pl);
  if (!bad.empty()) return bad;
  if (!ProductFits(g.B, g.IH, g.IW, g.CI, &n)) return "x (B·IH·IW·CI) exceeds 2^31 elements";
  if (!ProductFits(g.B, g.OH, g.OW, g.CO, &n)) return "y (B·OH·OW·CO) exceeds 2^31 elements";
  if (!ProductFits(g.B, g.OH, g.OW, g.CI, &n)) return "dy (B·OH·OW·CI) exceeds 2^31 elements";
  if (!ProductFits(g.FH, g.FW, g.CI, g.CO, &n)) return "w (FH·FW·CI·CO) exceeds 2^31 elements";
  // The kernels' padded copy of x: B·IH·((OW − 1)·sw + FW)·CI (FW ≤ its extent).
  const int64_t padW = (g.OW - 1) * g.sw + effW;  // checked by CheckAxis
  if (!ProductFits(g.B, g.IH, padW, g.CI, &n)) {
    return "x padded to OW's windows (B·IH·((OW − 1)·sw + FW)·CI) exceeds 2^31 elements";
  }
  return "";
}

napi_value Run(napi_env env, napi_callback_info info, Kind kind) {
  if (kdlens::activeIsa() == kdlens::Isa::None) {
    return Throw(env, "native kernels: this CPU lacks AVX2/FMA");
  }
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != 2) {
    return Throw(env, "native kernels: expected (heap: ArrayBuffer, params: Float64Array)");
  }
  bool isBuffer = false;
  napi_is_arraybuffer(env, argv[0], &isBuffer);
  if (!isBuffer) return Throw(env, "native kernels: 'heap' must be an ArrayBuffer");
  void* heapData = nullptr;
  size_t heapBytes = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &heapData, &heapBytes) != napi_ok) {
    return Throw(env, "native kernels: cannot read 'heap'");
  }
  bool isTyped = false;
  napi_is_typedarray(env, argv[1], &isTyped);
  napi_typedarray_type type;
  size_t length = 0;
  void* paramData = nullptr;
  if (!isTyped ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &paramData, nullptr, nullptr) !=
          napi_ok ||
      type != napi_float64_array || length != kParams) {
    return Throw(env, "native kernels: 'params' must be a Float64Array of 20 numbers");
  }
  const double* p = static_cast<const double*>(paramData);
  double dims[15];
  for (int i = 0; i < 15; i++) {
    dims[i] = p[4 + i];
    // Sizes up to 2^31: every product below stays exact in a double and in int64.
    if (!(dims[i] >= 0) || dims[i] > 2147483647.0 || std::floor(dims[i]) != dims[i]) {
      return Throw(env, "native kernels: geometry must be non-negative integers");
    }
  }
  kdlens::ConvGeometry g{};
  int64_t* fields[15] = {&g.B,  &g.IH, &g.IW, &g.CI, &g.OH, &g.OW, &g.CO, &g.FH,
                         &g.FW, &g.sh, &g.sw, &g.dh, &g.dw, &g.pt, &g.pl};
  for (int i = 0; i < 15; i++) *fields[i] = static_cast<int64_t>(dims[i]);
  if (g.sh < 1 || g.sw < 1 || g.dh < 1 || g.dw < 1) {
    return Throw(env, "native kernels: strides and dilations must be >= 1");
  }
  if (kind == Kind::Relu || kind == Kind::ReluGrad) {
    int64_t n = 0;
    if (!ProductFits(g.B, g.IH, g.IW, g.CI, &n)) {
      return Throw(env, "native kernels: the element count (B·IH·IW·CI) exceeds 2^31");
    }
  } else {
    // The kernels size internal buffers from the geometry: it must be consistent and bounded,
    // not only the operand regions (a 0-wide x passes those while the products wrap).
    // The output: y for the forward conv, dW for the filter's gradient, else dx (x's shape).
    const bool emptyOutput =
        kind == Kind::Forward          ? (g.B == 0 || g.OH == 0 || g.OW == 0 || g.CO == 0)
        : kind == Kind::BackpropFilter ? (g.FH == 0 || g.FW == 0 || g.CI == 0 || g.CO == 0)
                                       : (g.B == 0 || g.IH == 0 || g.IW == 0 || g.CI == 0);
    if (emptyOutput) return nullptr;  // nothing to write
    const std::string bad = CheckGeometry(g);
    if (!bad.empty()) return Throw(env, "native kernels: " + bad);
  }
  const double xFloats = dims[0] * dims[1] * dims[2] * dims[3];
  const double yFloats = dims[0] * dims[4] * dims[5] * dims[6];
  const double wFloats = dims[7] * dims[8] * dims[3] * dims[6];
  double floats[4] = {0, wFloats, 0, 0};
  switch (kind) {
    case Kind::Forward:
      floats[0] = xFloats;
      floats[2] = dims[6];
      floats[3] = yFloats;
      break;
    case Kind::BackpropInput:
      floats[0] = yFloats;
      floats[3] = xFloats;
      break;
    case Kind::BackpropFilter:
      floats[0] = xFloats;
      floats[1] = yFloats;
      floats[3] = wFloats;
      break;
    case Kind::MaxPoolGrad:
      // dy has the windows' shape [B, OH, OW, CI].
      floats[0] = xFloats;
      floats[1] = dims[0] * dims[4] * dims[5] * dims[3];
      floats[3] = xFloats;
      break;
    case Kind::ReluGrad:
      floats[0] = xFloats;
      floats[1] = xFloats;
      floats[3] = xFloats;
      break;
    case Kind::Relu:
      floats[0] = xFloats;
      floats[1] = 0;
      floats[3] = xFloats;
      break;
  }
  size_t offsets[4] = {0, 0, 0, 0};
  const bool hasBias = kind == Kind::Forward && p[2] >= 0;
  for (int i = 0; i < 4; i++) {
    if (i == 2 && !hasBias) continue;
    if (!Region(heapBytes, p[i], floats[i], &offsets[i])) {
      return Throw(env, "native kernels: operand " + std::to_string(i) + " is outside the heap");
    }
  }
  auto* heap = static_cast<char*>(heapData);
  auto at = [&](int i) { return reinterpret_cast<float*>(heap + offsets[i]); };
  switch (kind) {
    case Kind::Forward:
      kdlens::conv2dForward(g, at(0), at(1), hasBias ? at(2) : nullptr, p[19] == 1, at(3));
      break;
    case Kind::BackpropInput:
      kdlens::conv2dBackpropInput(g, at(0), at(1), at(3));
      break;
    case Kind::BackpropFilter:
      kdlens::conv2dBackpropFilter(g, at(0), at(1), at(3));
      break;
    case Kind::MaxPoolGrad:
      kdlens::maxPoolGrad(g, at(0), at(1), at(3));
      break;
    case Kind::ReluGrad:
      kdlens::reluGrad(g.B * g.IH * g.IW * g.CI, at(0), at(1), at(3));
      break;
    case Kind::Relu:
      kdlens::relu(g.B * g.IH * g.IW * g.CI, at(0), at(3));
      break;
  }
  return nullptr;
}

napi_value Forward(napi_env env, napi_callback_info info) {
  return Run(env, info, Kind::Forward);
}
napi_value BackpropInput(napi_env env, napi_callback_info info) {
  return Run(env, info, Kind::BackpropInput);
}
napi_value BackpropFilter(napi_env env, napi_callback_info info) {
  return Run(env, info, Kind::BackpropFilter);
}
napi_value MaxPoolGradFunction(napi_env env, napi_callback_info info) {
  return Run(env, info, Kind::MaxPoolGrad);
}
napi_value ReluGradFunction(napi_env env, napi_callback_info info) {
  return Run(env, info, Kind::ReluGrad);
}
napi_value ReluFunction(napi_env env, napi_callback_info info) {
  return Run(env, info, Kind::Relu);
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"supported", nullptr, Supported, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, IsaFunction, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Forward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, BackpropInput, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"conv2dBackpropFilter", nullptr, BackpropFilter, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGradFunction, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"reluGrad", nullptr, ReluGradFunction, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"relu", nullptr, ReluFunction, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
