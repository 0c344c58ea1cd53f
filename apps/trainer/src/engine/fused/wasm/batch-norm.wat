;; @out batch-norm.wasm.ts
;; @export batchNormWasmBase64
;; @about The WebAssembly binary of the fused batch-norm passes (../batch-norm.simd.ts), base64.
;;
;; SIMD passes of the fused training batch norm (../batch-norm.simd.ts), run directly on
;; the tfjs wasm backend's heap (its memory is imported). Tensors are [rows, C] float32 with
;; C % 4 == 0; `rb` is the row size in bytes (4·C). Per-channel vectors (m, s, t, a, b, d)
;; are float32 [C]; accumulators are float64, 64 bytes per 4-channel group:
;;   [Σu lanes 0-1][Σu lanes 2-3][Σv lanes 0-1][Σv lanes 2-3]
(module
  (import "env" "memory" (memory 1))

  ;; acc += (Σ a, Σ a·(b − m)) per channel. Blocks of up to 16 rows sum in float32 (two rows
  ;; per turn, eight values per sum at most), and each block's sums go into the float64 ones.
  (func (export "centeredSums")
    (param $a i32) (param $b i32) (param $m i32) (param $rows i32) (param $rb i32) (param $acc i32)
    (local $n i32) (local $step i32) (local $rb2 i32) (local $o i32) (local $g i32) (local $k i32)
    (local $pa i32) (local $pb i32)
    (local $mm v128) (local $x v128) (local $u0 v128) (local $v0 v128) (local $u1 v128) (local $v1 v128)
    (local.set $rb2 (i32.shl (local.get $rb) (i32.const 1)))
    (block $done
      (loop $blocks
        (br_if $done (i32.eqz (local.get $rows)))
        ;; A block of n = min(rows, 16) rows, one 4-channel group at a time.
        (local.set $n
          (select (local.get $rows) (i32.const 16) (i32.lt_u (local.get $rows) (i32.const 16))))
        (local.set $step (i32.mul (local.get $n) (local.get $rb)))
        (local.set $o (i32.const 0))
        (local.set $g (local.get $acc))
        (loop $group
          (local.set $mm (v128.load (i32.add (local.get $m) (local.get $o))))
          (local.set $pa (i32.add (local.get $a) (local.get $o)))
          (local.set $pb (i32.add (local.get $b) (local.get $o)))
          (local.set $u0 (v128.const i32x4 0 0 0 0))
          (local.set $v0 (v128.const i32x4 0 0 0 0))
          (local.set $u1 (v128.const i32x4 0 0 0 0))
          (local.set $v1 (v128.const i32x4 0 0 0 0))
          (local.set $k (local.get $n))
          ;; Two rows per turn into two sets of sums, so the adds do not wait on each other.
          (block $pairsDone
            (loop $pairs
              (br_if $pairsDone (i32.lt_u (local.get $k) (i32.const 2)))
              (local.set $x (v128.load (local.get $pa)))
              (local.set $u0 (f32x4.add (local.get $u0) (local.get $x)))
              (local.set $v0
                (f32x4.add (local.get $v0)
                  (f32x4.mul (local.get $x) (f32x4.sub (v128.load (local.get $pb)) (local.get $mm)))))
              (local.set $x (v128.load (i32.add (local.get $pa) (local.get $rb))))
              (local.set $u1 (f32x4.add (local.get $u1) (local.get $x)))
              (local.set $v1
                (f32x4.add (local.get $v1)
                  (f32x4.mul (local.get $x)
                    (f32x4.sub (v128.load (i32.add (local.get $pb) (local.get $rb))) (local.get $mm)))))
              (local.set $pa (i32.add (local.get $pa) (local.get $rb2)))
              (local.set $pb (i32.add (local.get $pb) (local.get $rb2)))
              (local.set $k (i32.sub (local.get $k) (i32.const 2)))
              (br $pairs)))
          (if (local.get $k)
            (then
              (local.set $x (v128.load (local.get $pa)))
              (local.set $u0 (f32x4.add (local.get $u0) (local.get $x)))
              (local.set $v0
                (f32x4.add (local.get $v0)
                  (f32x4.mul (local.get $x) (f32x4.sub (v128.load (local.get $pb)) (local.get $mm)))))))
          (local.set $u0 (f32x4.add (local.get $u0) (local.get $u1)))
          (local.set $v0 (f32x4.add (local.get $v0) (local.get $v1)))
          (v128.store offset=0 (local.get $g)
            (f64x2.add (v128.load offset=0 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $u0))))
          (v128.store offset=16 (local.get $g)
            (f64x2.add (v128.load offset=16 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u0) (local.get $u0)))))
          (v128.store offset=32 (local.get $g)
            (f64x2.add (v128.load offset=32 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $v0))))
          (v128.store offset=48 (local.get $g)
            (f64x2.add (v128.load offset=48 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v0) (local.get $v0)))))
          (local.set $g (i32.add (local.get $g) (i32.const 64)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $a (i32.add (local.get $a) (local.get $step)))
        (local.set $b (i32.add (local.get $b) (local.get $step)))
        (local.set $rows (i32.sub (local.get $rows) (local.get $n)))
        (br $blocks))))

  ;; acc += (Σ (a − m), Σ (a − m)²) per channel (the batch statistics: m = 0 over a few rows for
  ;; a pivot, then m = that pivot over all of them), in the same blocks as centeredSums.
  (func (export "deviationSums")
    (param $a i32) (param $m i32) (param $rows i32) (param $rb i32) (param $acc i32)
    (local $n i32) (local $step i32) (local $rb2 i32) (local $o i32) (local $g i32) (local $k i32)
    (local $pa i32)
    (local $mm v128) (local $x v128) (local $u0 v128) (local $v0 v128) (local $u1 v128) (local $v1 v128)
    (local.set $rb2 (i32.shl (local.get $rb) (i32.const 1)))
    (block $done
      (loop $blocks
        (br_if $done (i32.eqz (local.get $rows)))
        ;; A block of n = min(rows, 16) rows, one 4-channel group at a time.
        (local.set $n
          (select (local.get $rows) (i32.const 16) (i32.lt_u (local.get $rows) (i32.const 16))))
        (local.set $step (i32.mul (local.get $n) (local.get $rb)))
        (local.set $o (i32.const 0))
        (local.set $g (local.get $acc))
        (loop $group
          (local.set $mm (v128.load (i32.add (local.get $m) (local.get $o))))
          (local.set $pa (i32.add (local.get $a) (local.get $o)))
          (local.set $u0 (v128.const i32x4 0 0 0 0))
          (local.set $v0 (v128.const i32x4 0 0 0 0))
          (local.set $u1 (v128.const i32x4 0 0 0 0))
          (local.set $v1 (v128.const i32x4 0 0 0 0))
          (local.set $k (local.get $n))
          ;; Two rows per turn into two sets of sums, so the adds do not wait on each other.
          (block $pairsDone
            (loop $pairs
              (br_if $pairsDone (i32.lt_u (local.get $k) (i32.const 2)))
              (local.set $x (f32x4.sub (v128.load (local.get $pa)) (local.get $mm)))
              (local.set $u0 (f32x4.add (local.get $u0) (local.get $x)))
              (local.set $v0
                (f32x4.add (local.get $v0)
                  (f32x4.mul (local.get $x) (local.get $x))))
              (local.set $x
                (f32x4.sub (v128.load (i32.add (local.get $pa) (local.get $rb))) (local.get $mm)))
              (local.set $u1 (f32x4.add (local.get $u1) (local.get $x)))
              (local.set $v1
                (f32x4.add (local.get $v1)
                  (f32x4.mul (local.get $x) (local.get $x))))
              (local.set $pa (i32.add (local.get $pa) (local.get $rb2)))
              (local.set $k (i32.sub (local.get $k) (i32.const 2)))
              (br $pairs)))
          (if (local.get $k)
            (then
              (local.set $x (f32x4.sub (v128.load (local.get $pa)) (local.get $mm)))
              (local.set $u0 (f32x4.add (local.get $u0) (local.get $x)))
              (local.set $v0
                (f32x4.add (local.get $v0)
                  (f32x4.mul (local.get $x) (local.get $x))))))
          (local.set $u0 (f32x4.add (local.get $u0) (local.get $u1)))
          (local.set $v0 (f32x4.add (local.get $v0) (local.get $v1)))
          (v128.store offset=0 (local.get $g)
            (f64x2.add (v128.load offset=0 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $u0))))
          (v128.store offset=16 (local.get $g)
            (f64x2.add (v128.load offset=16 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u0) (local.get $u0)))))
          (v128.store offset=32 (local.get $g)
            (f64x2.add (v128.load offset=32 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $v0))))
          (v128.store offset=48 (local.get $g)
            (f64x2.add (v128.load offset=48 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v0) (local.get $v0)))))
          (local.set $g (i32.add (local.get $g) (i32.const 64)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $a (i32.add (local.get $a) (local.get $step)))
        (local.set $rows (i32.sub (local.get $rows) (local.get $n)))
        (br $blocks))))

  ;; y = (x − m)·s + t per channel; coef holds m, s, t (each rb bytes).
  (func (export "affineCentered")
    (param $x i32) (param $coef i32) (param $y i32) (param $rows i32) (param $rb i32)
    (local $end i32) (local $o i32) (local $c i32)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rb))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $o (i32.const 0))
        (loop $group
          (local.set $c (i32.add (local.get $coef) (local.get $o)))
          (v128.store (i32.add (local.get $y) (local.get $o))
            (f32x4.add
              (f32x4.mul
                (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o))) (v128.load (local.get $c)))
                (v128.load (i32.add (local.get $c) (local.get $rb))))
              (v128.load (i32.add (local.get $c) (i32.shl (local.get $rb) (i32.const 1))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $x (i32.add (local.get $x) (local.get $rb)))
        (local.set $y (i32.add (local.get $y) (local.get $rb)))
        (br $row))))

  ;; y = max(0, (x − m)·s + t) per channel: the normalisation and the ReLU after it in one pass.
  (func (export "affineCenteredRelu")
    (param $x i32) (param $coef i32) (param $y i32) (param $rows i32) (param $rb i32)
    (local $end i32) (local $o i32) (local $c i32)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rb))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $o (i32.const 0))
        (loop $group
          (local.set $c (i32.add (local.get $coef) (local.get $o)))
          (v128.store (i32.add (local.get $y) (local.get $o))
            (f32x4.max
              (f32x4.add
                (f32x4.mul
                  (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o))) (v128.load (local.get $c)))
                  (v128.load (i32.add (local.get $c) (local.get $rb))))
                (v128.load (i32.add (local.get $c) (i32.shl (local.get $rb) (i32.const 1)))))
              (v128.const f32x4 0 0 0 0)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $x (i32.add (local.get $x) (local.get $rb)))
        (local.set $y (i32.add (local.get $y) (local.get $rb)))
        (br $row))))

  ;; acc += (Σ a', Σ a'·(b − m)) per channel with a' = a where r > 0, else 0: centeredSums of a
  ;; gradient through the ReLU whose output is r, in the same blocks.
  (func (export "centeredSumsMasked")
    (param $a i32) (param $b i32) (param $m i32) (param $r i32) (param $rows i32) (param $rb i32)
    (param $acc i32)
    (local $n i32) (local $step i32) (local $rb2 i32) (local $o i32) (local $g i32) (local $k i32)
    (local $pa i32) (local $pb i32) (local $pr i32)
    (local $mm v128) (local $x v128) (local $u0 v128) (local $v0 v128) (local $u1 v128) (local $v1 v128)
    (local.set $rb2 (i32.shl (local.get $rb) (i32.const 1)))
    (block $done
      (loop $blocks
        (br_if $done (i32.eqz (local.get $rows)))
        ;; A block of n = min(rows, 16) rows, one 4-channel group at a time.
        (local.set $n
          (select (local.get $rows) (i32.const 16) (i32.lt_u (local.get $rows) (i32.const 16))))
        (local.set $step (i32.mul (local.get $n) (local.get $rb)))
        (local.set $o (i32.const 0))
        (local.set $g (local.get $acc))
        (loop $group
          (local.set $mm (v128.load (i32.add (local.get $m) (local.get $o))))
          (local.set $pa (i32.add (local.get $a) (local.get $o)))
          (local.set $pb (i32.add (local.get $b) (local.get $o)))
        (local.set $pr (i32.add (local.get $r) (local.get $o)))
          (local.set $u0 (v128.const i32x4 0 0 0 0))
          (local.set $v0 (v128.const i32x4 0 0 0 0))
          (local.set $u1 (v128.const i32x4 0 0 0 0))
          (local.set $v1 (v128.const i32x4 0 0 0 0))
          (local.set $k (local.get $n))
          ;; Two rows per turn into two sets of sums, so the adds do not wait on each other.
          (block $pairsDone
            (loop $pairs
              (br_if $pairsDone (i32.lt_u (local.get $k) (i32.const 2)))
              (local.set $x
                (v128.and (v128.load (local.get $pa))
                  (f32x4.gt (v128.load (local.get $pr)) (v128.const f32x4 0 0 0 0))))
              (local.set $u0 (f32x4.add (local.get $u0) (local.get $x)))
              (local.set $v0
                (f32x4.add (local.get $v0)
                  (f32x4.mul (local.get $x) (f32x4.sub (v128.load (local.get $pb)) (local.get $mm)))))
              (local.set $x
                (v128.and (v128.load (i32.add (local.get $pa) (local.get $rb)))
                  (f32x4.gt (v128.load (i32.add (local.get $pr) (local.get $rb)))
                    (v128.const f32x4 0 0 0 0))))
              (local.set $u1 (f32x4.add (local.get $u1) (local.get $x)))
              (local.set $v1
                (f32x4.add (local.get $v1)
                  (f32x4.mul (local.get $x)
                    (f32x4.sub (v128.load (i32.add (local.get $pb) (local.get $rb))) (local.get $mm)))))
              (local.set $pa (i32.add (local.get $pa) (local.get $rb2)))
              (local.set $pb (i32.add (local.get $pb) (local.get $rb2)))
            (local.set $pr (i32.add (local.get $pr) (local.get $rb2)))
              (local.set $k (i32.sub (local.get $k) (i32.const 2)))
              (br $pairs)))
          (if (local.get $k)
            (then
              (local.set $x
                (v128.and (v128.load (local.get $pa))
                  (f32x4.gt (v128.load (local.get $pr)) (v128.const f32x4 0 0 0 0))))
              (local.set $u0 (f32x4.add (local.get $u0) (local.get $x)))
              (local.set $v0
                (f32x4.add (local.get $v0)
                  (f32x4.mul (local.get $x) (f32x4.sub (v128.load (local.get $pb)) (local.get $mm)))))))
          (local.set $u0 (f32x4.add (local.get $u0) (local.get $u1)))
          (local.set $v0 (f32x4.add (local.get $v0) (local.get $v1)))
          (v128.store offset=0 (local.get $g)
            (f64x2.add (v128.load offset=0 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $u0))))
          (v128.store offset=16 (local.get $g)
            (f64x2.add (v128.load offset=16 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u0) (local.get $u0)))))
          (v128.store offset=32 (local.get $g)
            (f64x2.add (v128.load offset=32 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $v0))))
          (v128.store offset=48 (local.get $g)
            (f64x2.add (v128.load offset=48 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v0) (local.get $v0)))))
          (local.set $g (i32.add (local.get $g) (i32.const 64)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $a (i32.add (local.get $a) (local.get $step)))
        (local.set $b (i32.add (local.get $b) (local.get $step)))
      (local.set $r (i32.add (local.get $r) (local.get $step)))
        (local.set $rows (i32.sub (local.get $rows) (local.get $n)))
        (br $blocks))))

  ;; dx = a·dy + b·(x − m) + d per channel; coef holds m, a, b, d (each rb bytes).
  (func (export "gradInput")
    (param $dy i32) (param $x i32) (param $coef i32) (param $dx i32) (param $rows i32) (param $rb i32)
    (local $end i32) (local $o i32) (local $c i32) (local $rb2 i32)
    (local.set $rb2 (i32.shl (local.get $rb) (i32.const 1)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rb))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $o (i32.const 0))
        (loop $group
          (local.set $c (i32.add (local.get $coef) (local.get $o)))
          (v128.store (i32.add (local.get $dx) (local.get $o))
            (f32x4.add
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $c) (local.get $rb)))
                           (v128.load (i32.add (local.get $dy) (local.get $o))))
                (f32x4.mul (v128.load (i32.add (local.get $c) (local.get $rb2)))
                           (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o)))
                                      (v128.load (local.get $c)))))
              (v128.load (i32.add (local.get $c) (i32.add (local.get $rb2) (local.get $rb))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $x (i32.add (local.get $x) (local.get $rb)))
        (local.set $dy (i32.add (local.get $dy) (local.get $rb)))
        (local.set $dx (i32.add (local.get $dx) (local.get $rb)))
        (br $row))))

  ;; gradInput with dy' = dy where r > 0, else 0 (the gradient through the ReLU whose output is r).
  (func (export "gradInputMasked")
    (param $dy i32) (param $x i32) (param $coef i32) (param $r i32) (param $dx i32) (param $rows i32)
    (param $rb i32)
    (local $end i32) (local $o i32) (local $c i32) (local $rb2 i32)
    (local.set $rb2 (i32.shl (local.get $rb) (i32.const 1)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $rb))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $o (i32.const 0))
        (loop $group
          (local.set $c (i32.add (local.get $coef) (local.get $o)))
          (v128.store (i32.add (local.get $dx) (local.get $o))
            (f32x4.add
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $c) (local.get $rb)))
                           (v128.and (v128.load (i32.add (local.get $dy) (local.get $o)))
                                     (f32x4.gt (v128.load (i32.add (local.get $r) (local.get $o)))
                                               (v128.const f32x4 0 0 0 0))))
                (f32x4.mul (v128.load (i32.add (local.get $c) (local.get $rb2)))
                           (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o)))
                                      (v128.load (local.get $c)))))
              (v128.load (i32.add (local.get $c) (i32.add (local.get $rb2) (local.get $rb))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $x (i32.add (local.get $x) (local.get $rb)))
        (local.set $dy (i32.add (local.get $dy) (local.get $rb)))
        (local.set $r (i32.add (local.get $r) (local.get $rb)))
        (local.set $dx (i32.add (local.get $dx) (local.get $rb)))
        (br $row)))))
