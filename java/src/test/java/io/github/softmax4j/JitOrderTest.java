package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.softmax4j.internal.JitOrderMain;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The Vector API backend's sums do not depend on whether its kernels are compiled: a child JVM limited to C1 (the
 * Vector API's Java fallback) and one that compiles synchronously ({@code -Xbatch}) and runs the rows 60 times,
 * whose compilation log must show the kernels compiled by C2 (tier 4; else the test would compare the fallback
 * with itself), hash the kernels' raw double sums alike. Until the thirty-fourth session reduceLanes(ADD) added
 * the lanes in C2's order, which JDK 24+ changed on x86 (halving) and JDK 21+ on AArch64 (pairs): the same call
 * gave other bits once compiled.
 */
class JitOrderTest {
    // two patterns: the compilation log may put lines between them
    private static final Pattern LANES = Pattern.compile("lanes=(\\d+)");
    private static final Pattern HASH = Pattern.compile("hash=([0-9a-f]{1,16})");
    private static final Pattern C2_KERNEL =
            Pattern.compile("(?m)\\s4\\s+io\\.github\\.softmax4j\\.internal\\.VectorKernel::radd\\w*");

    @Test
    void vectorSumsAreTheSameInterpretedAndCompiled() throws Exception {
        Backends.require(Backend.VECTOR); // aborts loudly (BackendCoverageTest) where VECTOR cannot run
        ChildJvm.Result c1 = ChildJvm.run(List.of("-XX:TieredStopAtLevel=1"), JitOrderMain.class, 300);
        ChildJvm.Result c2 = ChildJvm.run(List.of("-Xbatch", "-XX:+PrintCompilation"), JitOrderMain.class, 600, "60");
        assertEquals(0, c1.exitCode, c1.output());
        assertEquals(0, c2.exitCode, c2.output());
        assertTrue(C2_KERNEL.matcher(c2.output()).find(), "the warm child never compiled a VectorKernel::radd* "
                + "kernel at tier 4 (C2): nothing was compared");
        String c1Lanes = find(LANES, c1);
        String c2Lanes = find(LANES, c2);
        assertEquals(c1Lanes, c2Lanes, "the two JVMs have vectors of different widths");
        assertEquals(find(HASH, c1), find(HASH, c2), "C1-only child vs the C2-compiled kernels");
    }

    private static String find(Pattern p, ChildJvm.Result r) {
        Matcher m = p.matcher(r.output());
        if (!m.find()) {
            List<String> l = r.lines;
            throw new AssertionError("no " + p + " in the child's output; its last lines:\n"
                    + String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size())));
        }
        return m.group(1);
    }
}
