package io.github.softmax4j.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The exp approximation of the Java backends swept over the floats where exp(x) is a normal float
 * ([ln FLT_MIN, ln FLT_MAX], ~2.2e9 floats), through the package-private {@code raddstoreexp} pass, which
 * stores z = p * 2^(n - E): E = 0 for x <= 0, E = 64 for x > 0 (the double reference exp(x) scaled by
 * 2^-64, exactly). The error is in ULP of the float result, |z - ref| / ulp(ref), asserted <= 2 (the
 * numerics budget exp at ~0.9 ULP); the measured max is printed. The C tiers are swept exhaustively by
 * native/test/test_exp_exhaustive.c.
 *
 * <p>Every float is checked by default (~30 s for VECTOR, ~45 s for SCALAR on the 2-core CI machine);
 * {@code -Dsoftmax4j.expStride=k} checks every k-th float only, and the output then says STRIDED.
 */
class ExpSweepTest {
    static final int DEFAULT_STRIDE = 1;
    private static final double MAX_ULP = 2.0;
    private static final int CHUNK = 1 << 16;

    private static int stride() {
        return Integer.getInteger("softmax4j.expStride", DEFAULT_STRIDE);
    }

    @Test
    void scalarKernelExpSweep() {
        sweep("SCALAR", new ScalarKernel());
    }

    @Test
    void vectorKernelExpSweep() {
        sweep("VECTOR", VectorKernels.orAbort("VECTOR exp sweep"));
    }

    private static void sweep(String name, JavaKernel k) {
        int stride = stride();
        float lo = Math.nextUp((float) Math.log(Float.MIN_NORMAL));
        float hi = Math.nextDown((float) Math.log(Float.MAX_VALUE));
        float[] x = new float[CHUNK];
        float[] z = new float[CHUNK];
        double worst = 0;
        float worstX = Float.NaN;
        long count = 0;
        long t0 = System.nanoTime();
        for (int half = 0; half < 2; half++) {
            float e = half == 0 ? 0f : 64f;
            double scale = half == 0 ? 1.0 : 0x1.0p-64;
            long first = half == 0 ? 0x80000000L : 0L;
            long last = Integer.toUnsignedLong(Float.floatToRawIntBits(half == 0 ? lo : hi));
            long u = first;
            while (u <= last) {
                int n = 0;
                for (; n < CHUNK && u <= last; n++, u += stride) {
                    x[n] = Float.intBitsToFloat((int) u);
                }
                k.raddstoreexp(x, 0, z, 0, n, 1f, e);
                for (int i = 0; i < n; i++) {
                    double ref = Math.exp(x[i]) * scale;
                    double err = Math.abs(z[i] - ref) / Math.ulp((float) ref);
                    if (!(err <= worst)) {
                        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                        worstX = x[i];
                    }
                }
                count += n;
            }
        }
        double s = (System.nanoTime() - t0) * 1e-9;
        String msg = String.format("%s exp sweep (%s): %d floats in [%s, %s], max error %.4f ULP at x=%s, %.1f s",
                name, stride == 1 ? "exhaustive" : "STRIDED: every " + stride + "-th float", count,
                Float.toHexString(lo), Float.toHexString(hi), worst, Float.toHexString(worstX), s);
        System.out.println(msg);
        assertTrue(worst <= MAX_ULP, msg);
    }
}
