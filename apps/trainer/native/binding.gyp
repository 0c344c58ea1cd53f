{
  "targets": [
    {
      "target_name": "kdlens_native",
      "sources": ["src/addon.cc", "src/conv.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
