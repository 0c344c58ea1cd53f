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

  ;; acc += (Σ a, Σ a·(b − m)) per channel.
  (func (export "centeredSums")
    (param $a i32) (param $b i32) (param $m i32) (param $rows i32) (param $rb i32) (param $acc i32)
    (local $end i32) (local $o i32) (local $g i32) (local $u v128) (local $v v128)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $rows) (local.get $rb))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $o (i32.const 0))
        (local.set $g (local.get $acc))
        (loop $group
          (local.set $u (v128.load (i32.add (local.get $a) (local.get $o))))
          (local.set $v
            (f32x4.mul (local.get $u)
              (f32x4.sub (v128.load (i32.add (local.get $b) (local.get $o)))
                         (v128.load (i32.add (local.get $m) (local.get $o))))))
          (v128.store offset=0 (local.get $g)
            (f64x2.add (v128.load offset=0 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $u))))
          (v128.store offset=16 (local.get $g)
            (f64x2.add (v128.load offset=16 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u) (local.get $u)))))
          (v128.store offset=32 (local.get $g)
            (f64x2.add (v128.load offset=32 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $v))))
          (v128.store offset=48 (local.get $g)
            (f64x2.add (v128.load offset=48 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
          (local.set $g (i32.add (local.get $g) (i32.const 64)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $a (i32.add (local.get $a) (local.get $rb)))
        (local.set $b (i32.add (local.get $b) (local.get $rb)))
        (br $row))))

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
  ;; gradient through the ReLU whose output is r.
  (func (export "centeredSumsMasked")
    (param $a i32) (param $b i32) (param $m i32) (param $r i32) (param $rows i32) (param $rb i32)
    (param $acc i32)
    (local $end i32) (local $o i32) (local $g i32) (local $u v128) (local $v v128)
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $rows) (local.get $rb))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $o (i32.const 0))
        (local.set $g (local.get $acc))
        (loop $group
          (local.set $u
            (v128.and (v128.load (i32.add (local.get $a) (local.get $o)))
              (f32x4.gt (v128.load (i32.add (local.get $r) (local.get $o)))
                        (v128.const f32x4 0 0 0 0))))
          (local.set $v
            (f32x4.mul (local.get $u)
              (f32x4.sub (v128.load (i32.add (local.get $b) (local.get $o)))
                         (v128.load (i32.add (local.get $m) (local.get $o))))))
          (v128.store offset=0 (local.get $g)
            (f64x2.add (v128.load offset=0 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $u))))
          (v128.store offset=16 (local.get $g)
            (f64x2.add (v128.load offset=16 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $u) (local.get $u)))))
          (v128.store offset=32 (local.get $g)
            (f64x2.add (v128.load offset=32 (local.get $g)) (f64x2.promote_low_f32x4 (local.get $v))))
          (v128.store offset=48 (local.get $g)
            (f64x2.add (v128.load offset=48 (local.get $g))
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
          (local.set $g (i32.add (local.get $g) (i32.const 64)))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $group (i32.lt_u (local.get $o) (local.get $rb))))
        (local.set $a (i32.add (local.get $a) (local.get $rb)))
        (local.set $b (i32.add (local.get $b) (local.get $rb)))
        (local.set $r (i32.add (local.get $r) (local.get $rb)))
        (br $row))))

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
