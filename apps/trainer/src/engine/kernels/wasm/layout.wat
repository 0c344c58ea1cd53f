;; @out layout.wasm.ts
;; @export layoutWasmBase64
;; @about The WebAssembly binary of the SIMD layout changes (../conv2d-backprop-filter-conv.ts), base64.
;;
;; SIMD layout changes for conv2d-backprop-filter-conv.ts, run directly on the tfjs wasm
;; backend's heap (its memory is imported). Tensors are float32, viewed as [B, P, C].
(module
  (import "env" "memory" (memory 1))

  ;; [B, P, C] → [C, P, B] with B % 4 == 0 and C % 4 == 0, by 4×4 register transposes:
  ;; four images' 4-channel runs of one pixel become four channels' 4-image runs.
  (func (export "toChannelsPixelsBatch")
    (param $src i32) (param $dst i32) (param $B i32) (param $P i32) (param $C i32)
    (local $p i32) (local $c i32) (local $b i32) (local $s i32) (local $d i32)
    (local $rowB i32) (local $colB i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $a v128) (local $e v128) (local $f v128) (local $g v128)
    ;; bytes between consecutive images in src, consecutive channels in dst
    (local.set $rowB (i32.shl (i32.mul (local.get $P) (local.get $C)) (i32.const 2)))
    (local.set $colB (i32.shl (i32.mul (local.get $P) (local.get $B)) (i32.const 2)))
    (local.set $p (i32.const 0))
    (loop $pixel
      (local.set $c (i32.const 0))
      (loop $chan
        (local.set $b (i32.const 0))
        (loop $img
          (local.set $s (i32.add (local.get $src)
            (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $P)) (local.get $p))
                                       (local.get $C))
                              (local.get $c)) (i32.const 2))))
          (local.set $r0 (v128.load (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $rowB)))
          (local.set $r1 (v128.load (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $rowB)))
          (local.set $r2 (v128.load (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $rowB)))
          (local.set $r3 (v128.load (local.get $s)))
          (local.set $a (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
          (local.set $e (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
          (local.set $f (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
          (local.set $g (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
          (local.set $d (i32.add (local.get $dst)
            (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $c) (local.get $P)) (local.get $p))
                                       (local.get $B))
                              (local.get $b)) (i32.const 2))))
          (v128.store (local.get $d)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $f)))
          (local.set $d (i32.add (local.get $d) (local.get $colB)))
          (v128.store (local.get $d)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $f)))
          (local.set $d (i32.add (local.get $d) (local.get $colB)))
          (v128.store (local.get $d)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $e) (local.get $g)))
          (local.set $d (i32.add (local.get $d) (local.get $colB)))
          (v128.store (local.get $d)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $e) (local.get $g)))
          (local.set $b (i32.add (local.get $b) (i32.const 4)))
          (br_if $img (i32.lt_u (local.get $b) (local.get $B))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br_if $chan (i32.lt_u (local.get $c) (local.get $C))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $pixel (i32.lt_u (local.get $p) (local.get $P)))))

  ;; [B, P, C] → [P, B, C] with C % 4 == 0: whole C-runs move, 16 bytes at a time.
  (func (export "toPixelsBatchChannels")
    (param $src i32) (param $dst i32) (param $B i32) (param $P i32) (param $C i32)
    (local $p i32) (local $b i32) (local $s i32) (local $o i32) (local $run i32) (local $rowB i32)
    (local.set $run (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowB (i32.mul (local.get $P) (local.get $run)))
    (local.set $p (i32.const 0))
    (loop $pixel
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $run))))
      (local.set $b (i32.const 0))
      (loop $img
        (local.set $o (i32.const 0))
        (loop $vec
          (v128.store (i32.add (local.get $dst) (local.get $o))
            (v128.load (i32.add (local.get $s) (local.get $o))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $vec (i32.lt_u (local.get $o) (local.get $run))))
        (local.set $dst (i32.add (local.get $dst) (local.get $run)))
        (local.set $s (i32.add (local.get $s) (local.get $rowB)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br_if $img (i32.lt_u (local.get $b) (local.get $B))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $pixel (i32.lt_u (local.get $p) (local.get $P))))))
