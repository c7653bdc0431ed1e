package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.softmax4j.internal.KernelSelector;
import io.github.softmax4j.internal.KernelSelector.Config;
import io.github.softmax4j.internal.KernelSelector.Selection;

/** The one selection point: order, forcing, capping, declines with reasons. */
class SelectionTest {
    @Test
    void defaultPicksTheFirstAvailableInPreferenceOrder() {
        Selection s = KernelSelector.select(new Config(null, null));
        List<Backend> available = KernelSelector.available(new Config(null, null));
        assertEquals(available.get(0), s.kernel.backend());
        // everything before the winner declined with a reason; nothing after it was tried
        for (Backend b : s.declined.keySet()) {
            assertFalse(available.contains(b), b + " declined but available");
            assertNotNull(s.declined.get(b));
            assertFalse(s.declined.get(b).isBlank());
        }
        assertTrue(available.contains(Backend.SCALAR), "scalar always runs");
        assertEquals(Softmax.get().backend(), KernelSelector.defaultSelection().kernel.backend());
        assertEquals(Algorithm.AUTO, Softmax.get().algorithm());
    }

    @Test
    void forcedBackendWinsOrFailsLoudly() {
        for (Backend b : Backend.values()) {
            Config c = new Config(b, null);
            if (KernelSelector.available(new Config(null, null)).contains(b)) {
                assertEquals(b, KernelSelector.select(c).kernel.backend());
            } else {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> KernelSelector.select(c));
                assertFalse(e.getMessage().isBlank());
                assertThrows(UnsupportedOperationException.class, () -> Softmax.of(b));
            }
        }
        assertEquals(Backend.SCALAR, KernelSelector.select(new Config(Backend.SCALAR, null)).kernel.backend());
    }

    @Test
    void capLimitsTheNativeTier() {
        Selection avx2 = KernelSelector.select(new Config(null, "avx2"));
        assertFalse(avx2.kernel.backend() == Backend.NATIVE_AVX512);
        if (KernelSelector.available(new Config(null, null)).contains(Backend.NATIVE_AVX512)) {
            assertTrue(avx2.declined.get(Backend.NATIVE_AVX512).contains("capped"));
        }
        Selection portable = KernelSelector.select(new Config(null, "PORTABLE"));
        assertFalse(portable.kernel.backend() == Backend.NATIVE_AVX512
                || portable.kernel.backend() == Backend.NATIVE_AVX2);
        assertThrows(UnsupportedOperationException.class,
                () -> KernelSelector.kernel(Backend.NATIVE_AVX2, new Config(null, "portable")));
        assertThrows(IllegalArgumentException.class, () -> new Config(null, "sse9"));
    }

    @Test
    void vectorBackendNeedsItsModule() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertTrue(module, "the test JVM runs with --add-modules jdk.incubator.vector (surefire argLine)");
        Set<Backend> available = Softmax.available();
        assertTrue(available.contains(Backend.VECTOR), "Vector API backend available: " + available);
    }

    @Test
    void tinyCallsGoToTheVectorKernelOnlyWhenAskedFor() {
        // by default every call goes to the winner: the Vector API kernels run ~1000x slower until C2 has
        // compiled them (README, "Tiny calls"), a poor trade for ~40 ns per call afterwards
        Selection plain = KernelSelector.select(new Config(null, null));
        assertNull(plain.small, plain.toString());
        Selection s = KernelSelector.select(new Config(null, null, true));
        if (s.kernel.backend().isNative() && Softmax.available().contains(Backend.VECTOR)) {
            assertEquals(Backend.VECTOR, s.small.backend(), s.toString());
            assertTrue(s.toString().contains("VECTOR"), s.toString());
        } else {
            assertNull(s.small, s.toString());
        }
        // the default instance reports the winner and matches the reference on both sides of the bound,
        // whichever the surefire run configured (the JDK 22+ run sets -Dsoftmax4j.tinyCalls=vector)
        Selection d = KernelSelector.defaultSelection();
        assertEquals(d.kernel.backend(), Softmax.get().backend());
        assertEquals("vector".equals(System.getProperty("softmax4j.tinyCalls")) && d.kernel.backend().isNative()
                && Softmax.available().contains(Backend.VECTOR), d.small != null, d.toString());
        for (int n : new int[] {1, 17, 64, 65, 300}) {
            float[] x = Reference.Dist.LLM_LOGITS.fill(new float[n], 0, n, new java.util.SplittableRandom(n));
            float[] y = Softmax.get().softmax(x);
            assertTrue(Reference.maxUlp(Reference.softmax(x, 0, n), y, 0) <= 4, "n=" + n);
        }
        // an explicitly requested backend is never routed
        assertNull(KernelSelector.select(new Config(Backend.SCALAR, null, true)).small);
    }

    @Test
    void withAndAlgorithmFor() {
        Softmax s = Softmax.of(Backend.SCALAR);
        assertEquals(Algorithm.THREE_PASS_RELOAD, s.algorithmFor(1000));
        assertEquals(Algorithm.THREE_PASS_RELOAD, s.algorithmFor(1 << 24)); // compute-bound: exp once
        for (Backend b : Softmax.available()) {
            Softmax auto = Softmax.of(b);
            for (int n : new int[] {0, 1, 1000, 1 << 20, 1 << 26}) {
                Algorithm a = auto.algorithmFor(n);
                assertTrue(a != Algorithm.AUTO, b + " resolves AUTO at " + n);
                assertEquals(a, auto.with(a).algorithmFor(n));
            }
        }
        if (Softmax.available().contains(Backend.NATIVE_AVX2)) {
            Softmax avx2 = Softmax.of(Backend.NATIVE_AVX2);
            assertEquals(Algorithm.THREE_PASS_RELOAD, avx2.algorithmFor(1024));
            // the AVX2 exp is dear enough that one exp per element beats 8 fewer bytes (native/src/softmax.c)
            assertEquals(Algorithm.THREE_PASS_RELOAD, avx2.algorithmFor(1 << 26));
        }
        if (Softmax.available().contains(Backend.NATIVE_AVX512)) {
            Softmax avx512 = Softmax.of(Backend.NATIVE_AVX512);
            assertEquals(Algorithm.THREE_PASS_RELOAD, avx512.algorithmFor((1 << 22) - 1));
            assertEquals(Algorithm.TWO_PASS, avx512.algorithmFor(1 << 22)); // out of cache: 12 B/element
        }
        Softmax t = s.with(Algorithm.THREE_PASS_RECOMPUTE);
        assertEquals(Algorithm.THREE_PASS_RECOMPUTE, t.algorithmFor(1 << 24));
        assertEquals(Algorithm.AUTO, s.algorithm());
        assertEquals(Backend.SCALAR, t.backend());
        assertThrows(NullPointerException.class, () -> s.with(null));
        assertThrows(NullPointerException.class, () -> Softmax.of(null));
        assertThrows(IllegalArgumentException.class, () -> s.algorithmFor(-1));
    }
}
