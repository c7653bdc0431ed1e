package io.github.softmax4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Fma}'s software FMA (taken where the JVM has no hardware FMA) against {@link Math#fma}, bit for bit:
 * random operands over the whole exponent range, operands built so that a*b + c cancels or lands on a
 * rounding midpoint of the result (where a plain a*b + c in double would round twice), the operands of the exp
 * kernels, and special values.
 */
class FmaTest {
    private static final float[] SPECIAL_F = {
        0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0x1.fffffep-1f, 0x1.000002p0f, 3f, 1e-30f
    };
    private static final double[] SPECIAL_D = {
        0d, -0d, 1d, -1d, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 0x1.fffffffffffffp-1, 0x1.0000000000001p0,
        0x1p995, 0x1p-960, 0x1p1020, 1e-300, 1e300
    };

    private static void checkF(float a, float b, float c) {
        float want = Math.fma(a, b, c);
        float got = Fma.soft(a, b, c);
        if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got) && !(Float.isNaN(want) && Float.isNaN(got))) {
            assertEquals(Float.toHexString(want), Float.toHexString(got), "fma(" + Float.toHexString(a) + ", "
                    + Float.toHexString(b) + ", " + Float.toHexString(c) + ")");
        }
    }

    private static void checkD(double a, double b, double c) {
        double want = Math.fma(a, b, c);
        double got = Fma.soft(a, b, c);
        if (Double.doubleToRawLongBits(want) != Double.doubleToRawLongBits(got)
                && !(Double.isNaN(want) && Double.isNaN(got))) {
            assertEquals(Double.toHexString(want), Double.toHexString(got), "fma(" + Double.toHexString(a) + ", "
                    + Double.toHexString(b) + ", " + Double.toHexString(c) + ")");
        }
    }

    private static float randomF(SplittableRandom r) {
        return Float.intBitsToFloat(r.nextInt());
    }

    private static double randomD(SplittableRandom r, int maxExp) {
        // a random significand and sign, the exponent uniform in [-maxExp, maxExp]
        double m = 1 + r.nextDouble();
        return (r.nextBoolean() ? m : -m) * Math.scalb(1.0, r.nextInt(2 * maxExp + 1) - maxExp);
    }

    @Test
    void floatSpecialValues() {
        for (float a : SPECIAL_F) {
            for (float b : SPECIAL_F) {
                for (float c : SPECIAL_F) {
                    checkF(a, b, c);
                }
            }
        }
    }

    @Test
    void floatRandomBitsAndNearCancellation() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 2_000_000; i++) {
            float a = randomF(r);
            float b = randomF(r);
            checkF(a, b, randomF(r));
            // c near -a*b: the result is the product's low bits; c near a midpoint of the result's last bit
            float p = a * b;
            checkF(a, b, -p);
            checkF(a, b, Math.nextUp(-p));
            checkF(a, b, -p * 0x1p-24f);
            checkF(a, b, Math.ulp(p) * 0.5f * (r.nextBoolean() ? 1 : -1));
        }
    }

    @Test
    void floatMidpoints() {
        // a*b exactly halfway between two floats (odd 13-bit integers whose product has 25 bits: its last bit is
        // half the float's ulp), c zero or a tiny term above or below: rounding a*b + c in double first and then to
        // float would lose c's side of the midpoint
        SplittableRandom r = new SplittableRandom(2);
        int built = 0;
        while (built < 1_000_000) {
            int ia = (1 << 12) | r.nextInt(1 << 12) | 1;
            int ib = (1 << 12) | r.nextInt(1 << 12) | 1;
            if ((long) ia * ib >= 1L << 25) {
                continue; // 26 bits: a quarter point, not a midpoint
            }
            built++;
            float a = Math.scalb((float) ia, r.nextInt(80) - 40);
            float b = Math.scalb((float) ib, r.nextInt(80) - 40);
            double exact = (double) a * b;
            // a midpoint: the doubles on either side of it round to different floats
            assertNotEquals((float) Math.nextDown(exact), (float) Math.nextUp(exact), "not a midpoint");
            float c = Math.scalb(1f, Math.getExponent(exact) - 26 - r.nextInt(60)) * (r.nextBoolean() ? 1 : -1);
            checkF(a, b, 0f);
            checkF(a, b, c);
            checkF(-a, b, c);
        }
    }

    @Test
    void roundToOddAddition() {
        // the helper against an exact reference, at the power-of-two boundaries where the odd neighbour is below
        // (x = 2^k, y < 0 tiny) or above, for both signs, and at random
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < 200_000; i++) {
            double x = Math.scalb(r.nextBoolean() ? 1.0 : 1 + r.nextDouble(), r.nextInt(400) - 200);
            double y = Math.scalb(1 + r.nextDouble(), Math.getExponent(x) - 1 - r.nextInt(80));
            for (double sx : new double[] {x, -x}) {
                for (double sy : new double[] {y, -y, Math.ulp(x) / 2, -Math.ulp(x) / 4}) {
                    double want = addOddReference(sx, sy);
                    assertEquals(Double.toHexString(want), Double.toHexString(Fma.addOdd(sx, sy)),
                            Double.toHexString(sx) + " + " + Double.toHexString(sy));
                }
            }
        }
    }

    /** x + y rounded to odd, from the exact sum in BigDecimal. */
    private static double addOddReference(double x, double y) {
        java.math.BigDecimal exact = new java.math.BigDecimal(x).add(new java.math.BigDecimal(y));
        double n = exact.doubleValue(); // the nearest double
        int cmp = new java.math.BigDecimal(n).compareTo(exact);
        if (cmp == 0) {
            return n;
        }
        double lo = cmp < 0 ? n : Math.nextDown(n);
        double hi = Math.nextUp(lo);
        return (Double.doubleToRawLongBits(lo) & 1) != 0 ? lo : hi;
    }

    @Test
    void doubleSpecialValues() {
        for (double a : SPECIAL_D) {
            for (double b : SPECIAL_D) {
                for (double c : SPECIAL_D) {
                    checkD(a, b, c);
                }
            }
        }
    }

    @Test
    void doubleRandomAndNearCancellation() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1_000_000; i++) {
            double a = randomD(r, 600);
            double b = randomD(r, 600);
            double p = a * b;
            checkD(a, b, randomD(r, 1100));
            checkD(a, b, -p);
            checkD(a, b, Math.nextUp(-p));
            checkD(a, b, p * 0x1p-53);
            checkD(a, b, -p * 0x1p-60);
            checkD(a, b, Math.ulp(p) * 0.5 * (r.nextBoolean() ? 1 : -1));
            checkD(a, b, Math.ulp(p) * (r.nextDouble() - 0.5));
            // the exp kernels' operands: a polynomial step q*t + C and a Cody-Waite step n*(-LN2) + x
            double t = (r.nextDouble() - 0.5) * 0.03;
            checkD(randomD(r, 3), t, 0.5 + r.nextDouble());
            checkD(Math.rint(randomD(r, 16)), -0x1.62e42fefa0000p-1, randomD(r, 16));
        }
    }

    @Test
    void doubleMidpoints() {
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 1_000_000; i++) {
            // odd 27-bit integers: a product of 54 significant bits is a midpoint between two doubles
            double a = Math.scalb((double) ((1L << 26) | r.nextLong(1L << 26) | 1), -26 + r.nextInt(200) - 100);
            double b = Math.scalb((double) ((1L << 26) | r.nextLong(1L << 26) | 1), -26 + r.nextInt(200) - 100);
            double c = Math.scalb(1.0, Math.getExponent(a * b) - 54 - r.nextInt(200)) * (r.nextBoolean() ? 1 : -1);
            checkD(a, b, c);
            checkD(a, b, -c);
            checkD(a, -b, c);
            checkD(a, b, c + Math.scalb(Math.ulp(a * b), -1));
        }
    }

    @Test
    void doubleEdgesOfTheFastPath() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 200_000; i++) {
            checkD(randomD(r, 1020), randomD(r, 1020), randomD(r, 1022));
            checkD(randomD(r, 520), randomD(r, 520), randomD(r, 1074 - 52)); // products near under- and overflow
            checkD(Math.scalb(1 + r.nextDouble(), 994 + r.nextInt(3)), randomD(r, 30), randomD(r, 1023));
        }
    }
}
