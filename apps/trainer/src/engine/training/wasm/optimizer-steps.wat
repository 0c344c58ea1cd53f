;; @out optimizer-steps.wasm.ts
;; @export optimizerStepsWasmBase64
;; @about The WebAssembly binary of the optimizers' steps on the heap (../heap-variables.ts), base64.
;;
;; The optimizers' steps over n float32 values on the tfjs wasm backend's heap (its memory is
;; imported), four at a time and then one at a time for the rest. Pointers are byte offsets;
;; the outputs may be the inputs (in place). Every operation is an IEEE float32 one in the
;; order of the tensor ops in ../optimizers.ts, so both give the same bits.
;;
;; adam (and AdamW):
;;   m' = m·b1 + g·c1;  v' = v·b2 + (g·g)·c2;  w' = w − ((m'/bc1) / (√(v'/bc2) + eps))·lr
;;   and, when decays ≠ 0, w' = w' − w·decay (even when decay is 0, as the tensor ops do).
;; sgd (heavy-ball momentum as tfjs and PyTorch, with L2 in the gradient):
;;   g' = g + w·wd when decays ≠ 0, else g;  b' = momentum·b + g';
;;   w' = negLr·b' + w, or with Nesterov w' = negLr·(g' + b'·momentum) + w.
(module
  (import "env" "memory" (memory 1))

  (func (export "adam")
    (param $g i32) (param $w i32) (param $m i32) (param $v i32)
    (param $wo i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $bc1 f32) (param $bc2 f32) (param $eps f32) (param $lr f32) (param $decay f32)
    (param $decays i32)
    (local $o i32) (local $end i32)
    (local $gv v128) (local $wv v128) (local $mv v128) (local $vv v128) (local $nv v128)
    (local $gs f32) (local $ws f32) (local $ms f32) (local $vs f32) (local $ns f32)
    ;; The vector part: the first n − n mod 4 values.
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $vdone
      (loop $vector
        (br_if $vdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $wv (v128.load (i32.add (local.get $w) (local.get $o))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (f32x4.splat (local.get $b1)))
            (f32x4.mul (local.get $gv) (f32x4.splat (local.get $c1)))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (f32x4.splat (local.get $b2)))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $c2)))))
        (local.set $nv
          (f32x4.sub (local.get $wv)
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mv) (f32x4.splat (local.get $bc1)))
                (f32x4.add
                  (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $bc2))))
                  (f32x4.splat (local.get $eps))))
              (f32x4.splat (local.get $lr)))))
        (if (local.get $decays)
          (then
            (local.set $nv
              (f32x4.sub (local.get $nv) (f32x4.mul (local.get $wv) (f32x4.splat (local.get $decay)))))))
        (v128.store (i32.add (local.get $wo) (local.get $o)) (local.get $nv))
        (v128.store (i32.add (local.get $mo) (local.get $o)) (local.get $mv))
        (v128.store (i32.add (local.get $vo) (local.get $o)) (local.get $vv))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vector)))
    ;; The rest, one value at a time.
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ws (f32.load (i32.add (local.get $w) (local.get $o))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (local.set $ns
          (f32.sub (local.get $ws)
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $bc1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $bc2))) (local.get $eps)))
              (local.get $lr))))
        (if (local.get $decays)
          (then
            (local.set $ns (f32.sub (local.get $ns) (f32.mul (local.get $ws) (local.get $decay))))))
        (f32.store (i32.add (local.get $wo) (local.get $o)) (local.get $ns))
        (f32.store (i32.add (local.get $mo) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $vo) (local.get $o)) (local.get $vs))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar))))
  (func (export "sgd")
    (param $g i32) (param $w i32) (param $b i32) (param $wo i32) (param $bo i32) (param $n i32)
    (param $momentum f32) (param $negLr f32) (param $wd f32) (param $decays i32) (param $nesterov i32)
    (local $o i32) (local $end i32)
    (local $gv v128) (local $wv v128) (local $bv v128)
    (local $gs f32) (local $ws f32) (local $bs f32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $vdone
      (loop $vector
        (br_if $vdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $wv (v128.load (i32.add (local.get $w) (local.get $o))))
        (if (local.get $decays)
          (then
            (local.set $gv
              (f32x4.add (local.get $gv) (f32x4.mul (local.get $wv) (f32x4.splat (local.get $wd)))))))
        (local.set $bv
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $momentum)) (v128.load (i32.add (local.get $b) (local.get $o))))
            (local.get $gv)))
        (v128.store (i32.add (local.get $wo) (local.get $o))
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $negLr))
              (if (result v128) (local.get $nesterov)
                (then
                  (f32x4.add (local.get $gv) (f32x4.mul (local.get $bv) (f32x4.splat (local.get $momentum)))))
                (else (local.get $bv))))
            (local.get $wv)))
        (v128.store (i32.add (local.get $bo) (local.get $o)) (local.get $bv))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vector)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $scalar
        (br_if $sdone (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ws (f32.load (i32.add (local.get $w) (local.get $o))))
        (if (local.get $decays)
          (then (local.set $gs (f32.add (local.get $gs) (f32.mul (local.get $ws) (local.get $wd))))))
        (local.set $bs
          (f32.add
            (f32.mul (local.get $momentum) (f32.load (i32.add (local.get $b) (local.get $o))))
            (local.get $gs)))
        (f32.store (i32.add (local.get $wo) (local.get $o))
          (f32.add
            (f32.mul (local.get $negLr)
              (if (result f32) (local.get $nesterov)
                (then (f32.add (local.get $gs) (f32.mul (local.get $bs) (local.get $momentum))))
                (else (local.get $bs))))
            (local.get $ws)))
        (f32.store (i32.add (local.get $bo) (local.get $o)) (local.get $bs))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar)))))
