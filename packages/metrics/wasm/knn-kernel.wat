;; @out ../src/individual/knn-kernel.wasm.ts
;; @export knnKernelBase64
;; @about The WebAssembly binary of the screening kernel of nearest-neighbors.ts, base64.
;;
;; Screening kernel of src/individual/nearest-neighbors.ts: float32 dot products of one 4-row
;; panel against a run of candidate rows, 4×2 rows at a time with f32x4 lanes over the
;; features, turned into float64 lower bounds on the squared distances. After editing, run
;; scripts/build-wasm.sh on this file to regenerate src/individual/knn-kernel.wasm.ts.
;;
;; Memory (imported; the caller sizes and fills it), byte offsets:
;;   0  f64 kappa    (‖a‖² + ‖b‖²)·kappa − 2a·b − absS bounds ‖a − b‖² in the scaled units
;;   8  f64 absS       from below despite float32 rounding and underflow
;;  16  f64 keep     then ·keep·f·f − absF takes it to the input's units, below the computed
;;  24  f64 f          Σ (x_t − y_t)² (f = 2^−e undoes the scaling by 2^e)
;;  32  f64 absF
;;  40  i32 rowBytes bytes per row of features, a multiple of 16 (zero padded)
;;  44  i32 sqPtr    f64 ‖a_r‖² per row (+Infinity on padding rows)
;;  48  i32 worstPtr f64 current k-th squared distance per row
;;  52  i32 outJ     output: i32 j per tile let through
;;  56  i32 outL     output: 8 f64 bounds per tile let through
;;  64  the rows, float32, centred and scaled (row r at 64 + r·rowBytes)
;; Why these bounds are safe, and how the rows are centred and scaled: prepareWasm in
;; nearest-neighbors.ts.
(module
  (import "env" "memory" (memory 1))

  ;; Panel rows i..i+3 against rows j, j+1 for j = jb, jb + 2, … < jEnd. Writes out each 4×2
  ;; tile that might hold a neighbour of either side (the tile test of the TypeScript kernel,
  ;; with the panel's k-th distances as passed in): j at outJ + 4c and the 8 bounds at
  ;; outL + 64c, ordered (i,j) (i,j+1) (i+1,j) … (i+3,j+1). Returns the number of tiles, c.
  (func (export "scan")
    (param $i i32) (param $jb i32) (param $jEnd i32) (param $diag i32) (param $panelWorst f64)
    (result i32)
    (local $rowBytes i32) (local $sqPtr i32) (local $worstPtr i32) (local $outJ i32)
    (local $outL i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $b0 i32) (local $b1 i32) (local $o i32) (local $j i32) (local $c i32) (local $p i32)
    (local $xv v128) (local $y0 v128) (local $y1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local $w01 v128) (local $w23 v128) (local $hj v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128) (local $m v128)
    (local $lowest f64) (local $kappa v128) (local $absS v128)
    (local $keep f64) (local $f f64) (local $absF f64)

    (local.set $rowBytes (i32.load (i32.const 40)))
    (local.set $sqPtr (i32.load (i32.const 44)))
    (local.set $worstPtr (i32.load (i32.const 48)))
    (local.set $outJ (i32.load (i32.const 52)))
    (local.set $outL (i32.load (i32.const 56)))
    (local.set $kappa (v128.load64_splat (i32.const 0)))
    (local.set $absS (v128.load64_splat (i32.const 8)))
    (local.set $keep (f64.load (i32.const 16)))
    (local.set $f (f64.load (i32.const 24)))
    (local.set $absF (f64.load (i32.const 32)))
    (local.set $a0 (i32.add (i32.const 64) (i32.mul (local.get $i) (local.get $rowBytes))))
    (local.set $a1 (i32.add (local.get $a0) (local.get $rowBytes)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $rowBytes)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $rowBytes)))
    (local.set $j (local.get $jb))
    (block $done
      (br_if $done (i32.ge_u (local.get $j) (local.get $jEnd)))
      (loop $tiles
        (local.set $b0 (i32.add (i32.const 64) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $b1 (i32.add (local.get $b0) (local.get $rowBytes)))
        (local.set $s00 (v128.const i64x2 0 0))
        (local.set $s01 (v128.const i64x2 0 0))
        (local.set $s10 (v128.const i64x2 0 0))
        (local.set $s11 (v128.const i64x2 0 0))
        (local.set $s20 (v128.const i64x2 0 0))
        (local.set $s21 (v128.const i64x2 0 0))
        (local.set $s30 (v128.const i64x2 0 0))
        (local.set $s31 (v128.const i64x2 0 0))
        (local.set $o (i32.const 0))
        ;; 8 accumulators, 2 candidate vectors and 1 panel vector fit the 16 xmm registers.
        (loop $dims
          (local.set $y0 (v128.load (i32.add (local.get $b0) (local.get $o))))
          (local.set $y1 (v128.load (i32.add (local.get $b1) (local.get $o))))
          (local.set $xv (v128.load (i32.add (local.get $a0) (local.get $o))))
          (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $xv) (local.get $y0))))
          (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $xv) (local.get $y1))))
          (local.set $xv (v128.load (i32.add (local.get $a1) (local.get $o))))
          (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $xv) (local.get $y0))))
          (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $xv) (local.get $y1))))
          (local.set $xv (v128.load (i32.add (local.get $a2) (local.get $o))))
          (local.set $s20 (f32x4.add (local.get $s20) (f32x4.mul (local.get $xv) (local.get $y0))))
          (local.set $s21 (f32x4.add (local.get $s21) (f32x4.mul (local.get $xv) (local.get $y1))))
          (local.set $xv (v128.load (i32.add (local.get $a3) (local.get $o))))
          (local.set $s30 (f32x4.add (local.get $s30) (f32x4.mul (local.get $xv) (local.get $y0))))
          (local.set $s31 (f32x4.add (local.get $s31) (f32x4.mul (local.get $xv) (local.get $y1))))
          (br_if $dims
            (i32.lt_u
              (local.tee $o (i32.add (local.get $o) (i32.const 16)))
              (local.get $rowBytes))))

        ;; Add up the lanes: w01 = [a·b(i,j), a·b(i,j+1), a·b(i+1,j), a·b(i+1,j+1)], w23 likewise
        ;; for rows i+2, i+3. (Written out: V8 does not inline wasm calls.)
        (local.set $w01 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s00) (local.get $s01))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s00) (local.get $s01))))
        (local.set $w23 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s10) (local.get $s11))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s10) (local.get $s11))))
        (local.set $w01 (f32x4.add
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $w01) (local.get $w23))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $w01) (local.get $w23))))
        (local.set $s00 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s20) (local.get $s21))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s20) (local.get $s21))))
        (local.set $s10 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s30) (local.get $s31))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s30) (local.get $s31))))
        (local.set $w23 (f32x4.add
          (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $s00) (local.get $s10))
          (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $s00) (local.get $s10))))
        ;; Scaled bounds l = (‖a_i‖² + ‖a_j‖²)·kappa − 2a_i·a_j − absS, row by row of the tile.
        (local.set $hj (v128.load
          (i32.add (local.get $sqPtr) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $p (i32.add (local.get $sqPtr) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $l0 (f64x2.promote_low_f32x4 (local.get $w01)))
        (local.set $l0 (f64x2.sub
          (f64x2.sub
            (f64x2.mul (f64x2.add (v128.load64_splat (local.get $p)) (local.get $hj)) (local.get $kappa))
            (f64x2.add (local.get $l0) (local.get $l0)))
          (local.get $absS)))
        (local.set $l1 (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $w01) (local.get $w01))))
        (local.set $l1 (f64x2.sub
          (f64x2.sub
            (f64x2.mul (f64x2.add (v128.load64_splat offset=8 (local.get $p)) (local.get $hj)) (local.get $kappa))
            (f64x2.add (local.get $l1) (local.get $l1)))
          (local.get $absS)))
        (local.set $l2 (f64x2.promote_low_f32x4 (local.get $w23)))
        (local.set $l2 (f64x2.sub
          (f64x2.sub
            (f64x2.mul (f64x2.add (v128.load64_splat offset=16 (local.get $p)) (local.get $hj)) (local.get $kappa))
            (f64x2.add (local.get $l2) (local.get $l2)))
          (local.get $absS)))
        (local.set $l3 (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $w23) (local.get $w23))))
        (local.set $l3 (f64x2.sub
          (f64x2.sub
            (f64x2.mul (f64x2.add (v128.load64_splat offset=24 (local.get $p)) (local.get $hj)) (local.get $kappa))
            (f64x2.add (local.get $l3) (local.get $l3)))
          (local.get $absS)))
        ;; The rescaling to the input's units (see $unscale2) is monotone, so it can wait until a
        ;; tile passes: the tile's lowest bound is the rescaled lowest scaled bound.
        (local.set $m (f64x2.pmin
          (f64x2.pmin (local.get $l0) (local.get $l1))
          (f64x2.pmin (local.get $l2) (local.get $l3))))
        (local.set $lowest (f64.min
          (f64x2.extract_lane 0 (local.get $m))
          (f64x2.extract_lane 1 (local.get $m))))
        (local.set $lowest (f64.min
          (f64.sub
            (f64.mul (f64.mul (f64.mul (local.get $lowest) (local.get $keep)) (local.get $f))
              (local.get $f))
            (local.get $absF))
          (f64.const 0x1.fffffffffffffp+1023)))
        ;; Skip the tile when no pair can improve either side; otherwise hand it to the caller.
        (if (i32.eqz
              (i32.and
                (f64.gt (local.get $lowest) (local.get $panelWorst))
                (i32.or
                  (local.get $diag)
                  (f64.gt (local.get $lowest)
                    (f64.max
                      (f64.load (i32.add (local.get $worstPtr) (i32.shl (local.get $j) (i32.const 3))))
                      (f64.load offset=8
                        (i32.add (local.get $worstPtr) (i32.shl (local.get $j) (i32.const 3)))))))))
          (then
            (i32.store (i32.add (local.get $outJ) (i32.shl (local.get $c) (i32.const 2)))
              (local.get $j))
            (local.set $p (i32.add (local.get $outL) (i32.shl (local.get $c) (i32.const 6))))
            (v128.store offset=0 (local.get $p) (call $unscale2 (local.get $l0)))
            (v128.store offset=16 (local.get $p) (call $unscale2 (local.get $l1)))
            (v128.store offset=32 (local.get $p) (call $unscale2 (local.get $l2)))
            (v128.store offset=48 (local.get $p) (call $unscale2 (local.get $l3)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))))
        (br_if $tiles
          (i32.lt_u
            (local.tee $j (i32.add (local.get $j) (i32.const 2)))
            (local.get $jEnd)))))
    (local.get $c))

  ;; Scaled bounds in the input's units: ((l·keep)·f)·f − absF (two steps of f so that neither
  ;; f² nor its reciprocal needs to be a double), capped at the largest double: a pair whose
  ;; computed distance overflows must still reach rows that have not found k finite ones.
  (func $unscale2 (param $l v128) (result v128)
    (local $f v128)
    (local.set $f (v128.load64_splat (i32.const 24)))
    (f64x2.pmin
      (f64x2.sub
        (f64x2.mul
          (f64x2.mul (f64x2.mul (local.get $l) (v128.load64_splat (i32.const 16))) (local.get $f))
          (local.get $f))
        (v128.load64_splat (i32.const 32)))
      (v128.const f64x2 0x1.fffffffffffffp+1023 0x1.fffffffffffffp+1023)))
)
