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
 * heap-copy paths for big-endian and misaligned direct buffers; rows, log-sum-exp, log-softmax, the split
 * two-pass and double precision) on every native backend this machine runs, with every algorithm, and checks
 * the results. Exits 0 when all held, 1 otherwise; prints one line per
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
                    failures += checkOps(s.withScale(0.8f), n);
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

    /**
     * The other native entry points: rows (pinned arrays and direct buffers), logsumexp, log-softmax, the
     * split two-pass (sumexp / finish, through a parallel instance on this thread's executor), double
     * precision. Each result is compared with another path or a closed-form bound.
     */
    private static int checkOps(Softmax s, int n) {
        int bad = 0;
        float[] x = Reference.Dist.NORMAL.fill(new float[2 * n + 3], 0, 2 * n + 3, new SplittableRandom(n + 1));
        float[] rows = new float[2 * n + 3];
        s.softmaxRows(x, 3, n, rows, 1, n, 2, n);
        float[] one = new float[n];
        s.softmax(x, 3 + n, one, 0, n);
        bad += same(one, java.util.Arrays.copyOfRange(rows, 1 + n, 1 + 2 * n), s, n, "rows (arrays)");
        FloatBuffer dx = ByteBuffer.allocateDirect(4 * x.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        dx.put(x).position(3);
        FloatBuffer dy = ByteBuffer.allocateDirect(4 * x.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        s.logSoftmaxRows(dx, n, dy, n, 2, n);
        float[] ls = new float[n];
        s.logSoftmax(x, 3 + n, ls, 0, n);
        float[] got = new float[n];
        dy.get(n, got);
        bad += same(ls, got, s, n, "log-softmax rows (direct)");
        double lse = OpsReference.logSumExp(x, 3, n, s.scale());
        float[] lses = new float[2];
        s.logSumExpRows(x, 3, n, 2, n, lses, 0);
        if (OpsReference.lseError(lses[0], lse) > 2 || OpsReference.lseError(s.logSumExp(dx.duplicate().limit(3 + n)),
                lse) > 2) {
            System.out.println("JNI-CHECK FAILED " + s + " n=" + n + " logsumexp");
            bad++;
        }
        Softmax par = s.parallel(Runnable::run).withParallelThreshold(1);
        float[] p = par.softmax(java.util.Arrays.copyOfRange(x, 3, 3 + n));
        double[] ref = OpsReference.softmax(x, 3, n, s.scale());
        for (int i = 0; i < n; i++) {
            if (OpsReference.softmaxError(p[i], ref[i]) > 4) {
                System.out.println("JNI-CHECK FAILED " + s + " n=" + n + " split two-pass (arrays) at " + i);
                bad++;
                break;
            }
        }
        FloatBuffer py = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        par.softmax(dx.duplicate().position(3).limit(3 + n), py);
        py.get(0, got);
        bad += same(p, got, s, n, "split two-pass (direct)");
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = x[3 + i];
        }
        double[] dsm = DoubleSoftmax.of(s).softmax(d);
        double sum = 0;
        for (double v : dsm) {
            sum += v;
        }
        if (!(Math.abs(sum - 1) < 1e-12 * Math.max(1, n / 1000.0)) || !(Math.abs(DoubleSoftmax.of(s).logSumExp(d) - lse) < 1e-6)) {
            System.out.println("JNI-CHECK FAILED " + s + " n=" + n + " double precision (sum " + sum + ")");
            bad++;
        }
        return bad;
    }

    private static int same(float[] a, float[] b, Softmax s, int n, String what) {
        if (!java.util.Arrays.equals(a, b)) {
            System.out.println("JNI-CHECK FAILED " + s + " n=" + n + " " + what + ": results differ");
            return 1;
        }
        return 0;
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
