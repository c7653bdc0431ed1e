package io.github.softmax4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The two bindings of the native backend's short {@code float[]} calls ({@link ShortCalls}): JNI on every JDK,
 * FFM critical downcalls on JDK 22+ with {@code -Dsoftmax4j.arrayCalls=ffm}. The JDK 22+ run of the suite
 * sets it (java/pom.xml, profile java22-segments), so the FFM binding must be the one in use there and the
 * whole conformance suite goes through it (and through JNI on JDK 17); both bindings must give the same bits
 * and read nothing but x.
 */
class ShortCallsTest {
    private static final long SEED = 0x5eed_a11L;

    @Test
    void shortCallsTakeFfmWhereItCanRun() {
        assumeTrue(NativeKernel.available(), "no native library in this build");
        boolean asked = "ffm".equals(System.getProperty("softmax4j.arrayCalls"));
        String at = "JDK " + Runtime.version().feature() + ", native access " + NativeLib.nativeAccessEnabled();
        if (asked && Runtime.version().feature() >= 22) { // the suite runs with --enable-native-access
            assertTrue(ShortCalls.eligible(), "FFM must be eligible here: " + at);
        }
        boolean ffm = asked && ShortCalls.eligible();
        assertEquals(Runtime.version().feature() >= 22, ShortCalls.ffm() != null, at);
        if (ffm) {
            assertEquals("FFM critical downcalls", ShortCalls.ENTRIES.toString(), at);
            assertTrue(NativeKernel.shortArrayCalls().startsWith("FFM critical downcalls up to 16384"),
                    NativeKernel.shortArrayCalls());
        } else {
            assertSame(ShortCalls.JNI, ShortCalls.ENTRIES, at);
            assertTrue(NativeKernel.shortArrayCalls().startsWith("JNI ("), NativeKernel.shortArrayCalls());
        }
    }

    @Test
    void bothBindingsGiveTheSameBits() {
        assumeTrue(NativeKernel.available(), "no native library in this build");
        ShortCalls.Entries ffm = ShortCalls.ffm();
        assumeTrue(ffm != null, "no FFM binding on this JVM: nothing to compare (the test above says if it must be)");
        ShortCalls.Entries jni = ShortCalls.JNI;
        int isa = NativeLib.s4j_cpu_max_isa();
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int n : new int[] {1, 7, 17, 64, 255, 1000, 4097}) {
            for (int off : new int[] {0, 3}) {
                float[] x = new float[off + 3 * n + 5];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextDouble() * 40 - 20);
                }
                float[] x0 = x.clone();
                for (int algorithm = 0; algorithm < 4; algorithm++) {
                    String at = "seed " + SEED + ", n " + n + ", offset " + off + ", algorithm " + algorithm;
                    float[] a = filled(x.length + 9);
                    float[] b = filled(x.length + 9);
                    assertEquals(0, jni.softmax(isa, algorithm, x, off, a, off + 2, n), at);
                    assertEquals(0, ffm.softmax(isa, algorithm, x, off, b, off + 2, n), at);
                    assertArrayEquals(a, b, "softmax, " + at);
                    for (Op op : Op.values()) {
                        for (int flags = 0; flags < 4; flags++) {
                            float[] ya = filled(x.length + 9);
                            float[] yb = filled(x.length + 9);
                            double[] la = new double[5];
                            double[] lb = new double[5];
                            // three strided rows of n, y shifted by 2, lse from index 1
                            boolean lse = op.writesLse(flags);
                            assertEquals(0, jni.rows(isa, op.ordinal(), algorithm, flags, 0.7f, x, off, n,
                                    op == Op.LOG_SUM_EXP ? null : ya, off + 2, n, 3, n, lse ? la : null, 1), at);
                            assertEquals(0, ffm.rows(isa, op.ordinal(), algorithm, flags, 0.7f, x, off, n,
                                    op == Op.LOG_SUM_EXP ? null : yb, off + 2, n, 3, n, lse ? lb : null, 1), at);
                            assertArrayEquals(ya, yb, op + " flags " + flags + ", " + at);
                            assertArrayEquals(la, lb, op + " lse, flags " + flags + ", " + at);
                            assertEquals(op == Op.LOG_SUM_EXP, Arrays.equals(ya, filled(ya.length)), at);
                        }
                    }
                    // in place
                    float[] ia = Arrays.copyOf(x, x.length);
                    float[] ib = Arrays.copyOf(x, x.length);
                    assertEquals(0, jni.softmax(isa, algorithm, ia, off, ia, off, n), at);
                    assertEquals(0, ffm.softmax(isa, algorithm, ib, off, ib, off, n), at);
                    assertArrayEquals(ia, ib, "in place, " + at);
                }
                assertArrayEquals(x0, x, "x was modified");
            }
        }
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, -12345f);
        return a;
    }
}
