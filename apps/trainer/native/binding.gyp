{
  "targets": [
    {
      "target_name": "kdlens_native",
      "sources": ["src/addon.cc", "src/conv.cc", "src/conv-avx2.cc", "src/conv-avx512.cc", "src/pool.cc", "src/relu.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-Wno-maybe-uninitialized"],
      "cflags_cc!": ["-fno-rtti"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
