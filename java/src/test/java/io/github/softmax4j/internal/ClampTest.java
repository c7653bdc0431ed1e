package io.github.softmax4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ExpConstants#clamp}: the Vector API clamps its inputs there instead of clamping n - e at -127, which
 * must give the same terms. Checked as a property of the clamp over exponents and scales, and end to end: the
 * terms {@code raddstoreexp} stores and the outputs of {@code vscaleexp} are bit for bit the scalar kernel's
 * (which clamps the power). The sums of raddexp are not compared: the two add in different orders.
 */
class ClampTest {
    private static final float[] SCALES = {
        1f, 1f / 0.7f, 0.5f, 3f, 0.001f, 1000f, ExpConstants.SCALE_MIN, ExpConstants.SCALE_MAX, 0x1.fffffep-1f
    };

    /**
     * At the clamp n - e is -127 exactly (a +0.0 term); where the clamp is xlo's, n - e is above -127. Every
     * exponent a pass can have: from xlo's (a block of -Inf) to E_HI, each of them near 0, sampled elsewhere.
     */
    @Test
    void clampIsWhereTheTermsUnderflow() {
        long checked = 0;
        long atXlo = 0;
        for (float s : SCALES) {
            float xlo = ExpConstants.xlo(s);
            int lowest = (int) ExpConstants.exponent(xlo, s, xlo);
            for (int e = lowest; e <= (int) ExpConstants.E_HI; e = next(e)) {
                float c = ExpConstants.clamp(s, e);
                float k = ExpConstants.exponent(c, s, xlo) - e;
                String at = "s=" + s + " e=" + e + " clamp=" + c;
                if (c > xlo) {
                    assertEquals(-127f, k, at);
                } else {
                    assertTrue(k >= -127, at + ": n - e = " + k);
                    atXlo++;
                }
                checked++;
            }
        }
        assertTrue(atXlo > 0, "no exponent took the clamp at xlo");
        System.out.println("clamp property: " + checked + " (scale, exponent) pairs, " + atXlo + " at xlo");
    }

    /** Every exponent within 300 of 0 or of either end, every 97th elsewhere, and E_HI itself. */
    private static int next(int e) {
        int hi = (int) ExpConstants.E_HI;
        boolean dense = Math.abs(e) < 300 || e < -94_000 || e > hi - 300;
        return dense || e == hi ? e + 1 : Math.min(e + 97, hi);
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
            boolean masked = r.nextInt(20) == 0; // a block of -Inf and the lowest inputs: the clamp at xlo
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(40) == 0 || masked && r.nextBoolean() ? Float.NEGATIVE_INFINITY
                        : masked ? ExpConstants.xlo(s) * (1 - r.nextFloat() * 0x1p-20f)
                        : (float) (spread * (r.nextDouble() * 2 - 1));
                max = Math.max(max, x[i]);
            }
            // vscaleexp's exponent: the largest input's, or (as two-pass's pass 2 may) one above it
            float e = ExpConstants.exponent(max, s, ExpConstants.xlo(s)) + r.nextInt(3);
            if (!(e <= ExpConstants.E_HI)) {
                continue;
            }
            float[] zv = new float[n];
            float[] zs = new float[n];
            // the sums' exponent as the Java drivers pass it: 64 below (their bias), and further below when
            // it came from the first elements only (n - e up to and past 128: +Inf terms)
            float es = e - 64 - (r.nextBoolean() ? 0 : r.nextInt(140));
            vector.raddstoreexp(x, 0, zv, 0, n, s, es);
            scalar.raddstoreexp(x, 0, zs, 0, n, s, es);
            assertSameBits(x, zs, zv, "raddstoreexp s=" + s + " e=" + es);
            float inv = (float) (1.0 / (1 + r.nextInt(1000)));
            vector.vscaleexp(x, 0, zv, 0, n, s, inv, e);
            scalar.vscaleexp(x, 0, zs, 0, n, s, inv, e);
            assertSameBits(x, zs, zv, "vscaleexp s=" + s + " e=" + e + " inv=" + inv);
        }
    }

    private static void assertSameBits(float[] x, float[] scalar, float[] vector, String what) {
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(scalar[i]), Float.floatToRawIntBits(vector[i]),
                    what + " x=" + x[i] + ": vector " + vector[i] + " scalar " + scalar[i]);
        }
    }
}
