package io.github.softmax4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ExpConstants#clamp}: the Vector API clamps its inputs there instead of clamping n - e at -127, which
 * must give the same terms. Checked as a property of the clamp over exponents and scales, and end to end: the
 * terms {@code raddstoreexp} stores are bit for bit those of the scalar kernel (which clamps the power).
 */
class ClampTest {
    private static final float[] SCALES = {
        1f, 1f / 0.7f, 0.5f, 3f, 0.001f, 1000f, ExpConstants.SCALE_MIN, ExpConstants.SCALE_MAX, 0x1.fffffep-1f
    };

    /** At the clamp n - e is -127 exactly (a +0.0 term); below it at most -127; never below -127 above it. */
    @Test
    void clampIsWhereTheTermsUnderflow() {
        long checked = 0;
        for (float s : SCALES) {
            float xlo = ExpConstants.xlo(s);
            for (int e = (int) ExpConstants.E_LO; e <= (int) ExpConstants.E_HI; e += e > -300 && e < 300 ? 1 : 97) {
                float c = ExpConstants.clamp(s, e);
                float k = ExpConstants.exponent(c, s, xlo) - e;
                String at = "s=" + s + " e=" + e + " clamp=" + c;
                assertTrue(k >= -127, at + ": n - e = " + k);
                if (c > xlo) {
                    assertEquals(-127f, k, at);
                    float below = Math.nextDown(c);
                    assertTrue(ExpConstants.exponent(below, s, xlo) - e <= -127, at + ": below the clamp");
                }
                checked++;
            }
        }
        System.out.println("clamp property: " + checked + " (scale, exponent) pairs");
    }

    @Test
    void vectorTermsEqualScalarTerms() {
        JavaKernel vector = VectorKernels.orAbort("VECTOR terms");
        JavaKernel scalar = new ScalarKernel();
        SplittableRandom r = new SplittableRandom(20261201);
        for (int c = 0; c < 3000; c++) {
            int n = 1 + r.nextInt(600);
            float s = SCALES[r.nextInt(SCALES.length)];
            double spread = new double[] {1, 30, 200, 3000, 60000}[r.nextInt(5)] / s;
            float[] x = new float[n];
            float max = ExpConstants.X_LO;
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(40) == 0 ? Float.NEGATIVE_INFINITY : (float) (spread * (r.nextDouble() * 2 - 1));
                max = Math.max(max, x[i]);
            }
            // the pass's exponent: the largest input's, or (as two-pass's pass 2 may) one above it
            float e = ExpConstants.exponent(max, s, ExpConstants.xlo(s)) + r.nextInt(3);
            if (!(e <= ExpConstants.E_HI) || e < ExpConstants.E_LO) {
                continue;
            }
            float[] zv = new float[n];
            float[] zs = new float[n];
            vector.raddstoreexp(x, 0, zv, 0, n, s, e);
            scalar.raddstoreexp(x, 0, zs, 0, n, s, e);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(zs[i]), Float.floatToRawIntBits(zv[i]),
                        "x=" + x[i] + " s=" + s + " e=" + e + ": vector " + zv[i] + " scalar " + zs[i]);
            }
        }
    }
}
