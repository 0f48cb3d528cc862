;; The same dot product as dot.wat over an imported shared memory: the matrix itself, allocated by
;; src/select/dot-kernel.ts allocateSharedMatrix, so worker threads read its rows in place (no copy per
;; class). Built with dot.wat by scripts/build-wasm.mjs; the function body is dot.wat's.
;; Original header of dot.wat:
;; Dot products of float32 rows with a float64 vector, for kCenterGreedy (src/select/kcenter-wasm.ts).
;; Products and sums are in double precision, in the same order as the TypeScript loop
;; (four running sums s0..s3 over t mod 4, the dim mod 4 tail added to s0, then ((s0+s1)+s2)+s3),
;; so both paths give bit-identical results. Rebuild: node packages/engine/scripts/build-wasm.mjs
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; x·c for one row: x = byte offset of dim float32 values, c = byte offset of dim float64 values.
  (func $dot (export "dot") (param $x i32) (param $c i32) (param $dim i32) (result f64)
    (local $t i32) (local $end i32) (local $v v128) (local $a0 v128) (local $a1 v128)
    (local $s0 f64)
    (local.set $end (i32.and (local.get $dim) (i32.const -4)))
    (local.set $a0 (v128.const f64x2 0 0))
    (local.set $a1 (v128.const f64x2 0 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $t) (local.get $end)))
        (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $t) (i32.const 2)))))
        ;; lanes 0,1 → a0 (t, t+1); lanes 2,3 → a1 (t+2, t+3)
        (local.set $a0
          (f64x2.add (local.get $a0)
            (f64x2.mul
              (f64x2.promote_low_f32x4 (local.get $v))
              (v128.load (i32.add (local.get $c) (i32.shl (local.get $t) (i32.const 3)))))))
        (local.set $a1
          (f64x2.add (local.get $a1)
            (f64x2.mul
              (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
              (v128.load offset=16 (i32.add (local.get $c) (i32.shl (local.get $t) (i32.const 3)))))))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br $next)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $a0)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $t) (local.get $dim)))
        (local.set $s0
          (f64.add (local.get $s0)
            (f64.mul
              (f64.promote_f32 (f32.load (i32.add (local.get $x) (i32.shl (local.get $t) (i32.const 2)))))
              (f64.load (i32.add (local.get $c) (i32.shl (local.get $t) (i32.const 3)))))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tail)))
    (f64.add
      (f64.add
        (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $a0)))
        (f64x2.extract_lane 0 (local.get $a1)))
      (f64x2.extract_lane 1 (local.get $a1))))
)
