package io.github.softmax4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.softmax4j.Backend;

/**
 * The native backends find their tier's number in the C library by name (the tier registry, s4j_tiers.inc, through
 * {@code s4j_isa_name}): every native {@link Backend} must name a tier, and the numbers are ABI (softmax4j.h's
 * {@code S4J_ISA_*}), so they are pinned here.
 */
class NativeTiersTest {
    @Test
    void everyNativeBackendNamesItsTier() {
        assumeTrue(NativeKernel.available(), "no native library in this build");
        List<String> abi = List.of("portable", "avx2", "avx512", "neon"); // S4J_ISA_PORTABLE, _AVX2, _AVX512, _NEON
        for (int isa = 0; isa < abi.size(); isa++) {
            assertEquals(abi.get(isa), NativeLib.s4j_isa_name(isa), "tier " + isa);
        }
        assertNull(NativeLib.s4j_isa_name(abi.size()), "past the last tier");
        assertNull(NativeLib.s4j_isa_name(-1), "tier -1");
        for (Backend b : Backend.values()) {
            if (b.isNative()) {
                assertEquals(abi.indexOf(b.isa()), NativeKernel.isaOf(b), b.toString());
            }
        }
        assertEquals(List.of("avx512", "avx2", "neon", "portable"), KernelSelector.TIERS);
    }

    /** Selection order and the maxIsa cap both come from Backend's declaration order (no list of their own). */
    @Test
    void orderAndCapFollowTheEnum() {
        assertEquals(List.of(Backend.NATIVE_AVX512, Backend.NATIVE_AVX2, Backend.NATIVE_NEON, Backend.VECTOR,
                Backend.NATIVE_PORTABLE, Backend.SCALAR), KernelSelector.ORDER);
        KernelSelector.Config avx2 = new KernelSelector.Config(null, "avx2");
        assertTrue(avx2.capped(Backend.NATIVE_AVX512));
        assertFalse(avx2.capped(Backend.NATIVE_AVX2));
        assertFalse(avx2.capped(Backend.NATIVE_NEON), "an arm64 machine's tier under an x86 cap");
        assertFalse(avx2.capped(Backend.NATIVE_PORTABLE));
        assertFalse(avx2.capped(Backend.VECTOR));
        KernelSelector.Config neon = new KernelSelector.Config(null, "neon");
        assertTrue(neon.capped(Backend.NATIVE_AVX2));
        assertFalse(neon.capped(Backend.NATIVE_NEON));
        KernelSelector.Config portable = new KernelSelector.Config(null, "portable");
        for (Backend b : List.of(Backend.NATIVE_AVX512, Backend.NATIVE_AVX2, Backend.NATIVE_NEON)) {
            assertTrue(portable.capped(b), b.toString());
        }
        assertFalse(portable.capped(Backend.NATIVE_PORTABLE));
        assertFalse(portable.capped(Backend.SCALAR));
        KernelSelector.Config none = new KernelSelector.Config(null, null);
        for (Backend b : Backend.values()) {
            assertFalse(none.capped(b), b.toString());
        }
    }
}
