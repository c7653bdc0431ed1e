package io.github.softmax4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import io.github.softmax4j.internal.NativeKernel;
import io.github.softmax4j.internal.NativeLib;

/**
 * Run by {@link JniCheckTest} in a child JVM under {@code -Xcheck:jni}: calls every native entry point
 * (the queries, pinned arrays at offsets and in place, direct buffers at offsets and in place, and the
 * heap-copy paths for big-endian and misaligned direct buffers) on every native backend this machine runs,
 * with every algorithm, and checks the results. Exits 0 when all held, 1 otherwise; prints one line per
 * backend ("JNI-CHECK ran ...") so the test can tell that something actually ran.
 */
public final class JniCheckMain {
    private JniCheckMain() {
    }

    public static void main(String[] args) {
        int failures = 0;
        int ran = 0;
        for (Backend b : Backend.values()) {
            if (!b.isNative()) {
                continue;
            }
            Softmax base;
            try {
                base = Softmax.of(b);
            } catch (UnsupportedOperationException e) {
                System.out.println("JNI-CHECK skipped " + b + ": " + e.getMessage());
                continue;
            }
            System.out.println("JNI-CHECK features=" + NativeLib.s4j_cpu_features() + " maxIsa="
                    + NativeLib.s4j_cpu_max_isa() + " cpuFeatures()=" + NativeKernel.cpuFeatures());
            for (int isa = 0; isa < 3; isa++) {
                NativeLib.s4j_isa_supported(isa);
                NativeLib.s4j_auto_algorithm(isa, 1L << 20);
            }
            for (Algorithm a : Algorithm.values()) {
                Softmax s = base.with(a);
                s.algorithmFor(100_000);
                for (int n : new int[] {1, 7, 64, 65, 1000, 4097, 70_000}) {
                    failures += check(s, n);
                }
            }
            ran++;
            System.out.println("JNI-CHECK ran " + b);
        }
        System.out.println("JNI-CHECK " + ran + " native backends, " + failures + " failures");
        System.exit(failures == 0 && ran > 0 ? 0 : 1);
    }

    private static int check(Softmax s, int n) {
        float[] x = Reference.Dist.NORMAL.fill(new float[n + 5], 0, n + 5, new SplittableRandom(n));
        float[] ref = Reference.softmax(x, 3, n);
        int bad = 0;
        // pinned arrays: out of place at offsets, in place, and the float[] forms
        float[] y = new float[n + 2];
        s.softmax(x, 3, y, 1, n);
        bad += verify(ref, y, 1, s, n, "array at offsets");
        float[] z = x.clone();
        s.softmax(z, 3, z, 3, n);
        bad += verify(ref, z, 3, s, n, "array in place");
        float[] w = java.util.Arrays.copyOfRange(x, 3, 3 + n);
        bad += verify(ref, s.softmax(w), 0, s, n, "softmax(float[])");
        s.softmax(w, w);
        bad += verify(ref, w, 0, s, n, "softmax(x, x)");
        // direct buffers: native order at a position, in place, and big-endian / misaligned (heap copy)
        FloatBuffer dx = ByteBuffer.allocateDirect(4 * (n + 5)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        dx.put(x).position(3).limit(3 + n);
        FloatBuffer dy = ByteBuffer.allocateDirect(4 * (n + 2)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        dy.position(2);
        s.softmax(dx, dy);
        bad += verify(ref, dy, s, n, "direct at positions");
        s.softmax(dx, dx);
        bad += verify(ref, dx, s, n, "direct in place");
        FloatBuffer be = ByteBuffer.allocateDirect(4 * n).asFloatBuffer();
        be.put(x, 3, n).clear();
        FloatBuffer mis = ByteBuffer.allocateDirect(4 * n + 8).position(3).slice().order(ByteOrder.nativeOrder())
                .asFloatBuffer().limit(n);
        s.softmax(be, mis);
        bad += verify(ref, mis, s, n, "big-endian -> misaligned");
        FloatBuffer heap = FloatBuffer.allocate(n);
        s.softmax(dx.duplicate().clear().put(x).position(3).limit(3 + n), heap);
        bad += verify(ref, heap, s, n, "direct -> heap");
        return bad;
    }

    private static int verify(float[] ref, FloatBuffer y, Softmax s, int n, String what) {
        float[] got = new float[n];
        y.duplicate().get(got);
        return verify(ref, got, 0, s, n, what);
    }

    private static int verify(float[] ref, float[] y, int off, Softmax s, int n, String what) {
        double err = Reference.maxUlp(ref, y, off);
        if (err > 4) {
            System.out.println("JNI-CHECK FAILED " + s + " n=" + n + " " + what + ": " + err + " ULP");
            return 1;
        }
        return 0;
    }
}
