package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.softmax4j.internal.JitOrderMain;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The Vector API backend's sums do not depend on whether its kernels are compiled: a child JVM limited to C1 (the
 * Vector API's Java fallback) and this JVM after warm-up (C2's code) hash the kernels' raw double sums alike.
 * Until the thirty-fourth session reduceLanes(ADD) added the lanes in C2's order, which JDK 24+ changed on x86
 * (halving) and JDK 21+ on AArch64 (pairs): the same call gave other bits once compiled.
 */
class JitOrderTest {
    @Test
    void vectorSumsAreTheSameInterpretedAndCompiled() throws Exception {
        Backends.require(Backend.VECTOR); // aborts loudly (BackendCoverageTest) where VECTOR cannot run
        long warm = JitOrderMain.hash(60);
        ChildJvm.Result r = ChildJvm.run(List.of("-XX:TieredStopAtLevel=1"), JitOrderMain.class, 300);
        assertEquals(0, r.exitCode, r.output());
        assertTrue(r.output().contains("hash=" + Long.toHexString(warm)),
                "C1-only child vs this JVM's compiled kernels (hash=" + Long.toHexString(warm) + "):\n" + r.output());
    }
}
