package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A JVM without a hardware FMA (x86-64 without FMA3; here simulated by HotSpot's {@code -XX:-UseFMA}, which turns
 * {@link Math#fma} into its BigDecimal computation, ~10 us per call): the Java backends keep their results bit
 * for bit through the software FMA ({@code internal.Fma}), the Vector API backend declines with the reason, and
 * the default selection never picks it. The child JVM runs {@link NoFmaMain}; its SCALAR results must hash to
 * those of this JVM.
 */
class NoFmaTest {
    @Test
    void withoutHardwareFmaTheJavaBackendsKeepTheirBitsAndVectorDeclines() throws Exception {
        // x86 only: every other architecture has an FMA, and the probe does not look there
        Assumptions.assumeTrue(io.github.softmax4j.internal.Fma.X86, "no CPU without FMA outside x86: "
                + System.getProperty("os.arch"));
        // the native tiers capped at the portable one, as on an x86-64 CPU without AVX2 and FMA3: VECTOR comes
        // next in the order, and must decline, so that the portable C tier is chosen
        ChildJvm.Result r = ChildJvm.run(List.of("-XX:-UseFMA", "-Dsoftmax4j.maxIsa=portable"), NoFmaMain.class, 300);
        assertEquals(0, r.exitCode, r.output());
        String out = r.output();
        assertTrue(out.contains("hardware-fma=false"), out);
        assertTrue(out.contains("vector=declined: ") && out.contains("fused multiply-add"), out);
        assertTrue(out.contains("default=NATIVE_PORTABLE"), out);
        assertTrue(out.contains("scalar-hash=" + Long.toHexString(NoFmaMain.scalarHash())), out);
    }

    @Test
    void theProbeAgreesWithTheCpu() {
        // where the CPU has an FMA (the native probe's FMA3 bit on x86; every arm64 CPU) the software path must not
        // be taken by accident (it is ~10x slower than Math.fma's instruction), and where it has none it must be
        int f = io.github.softmax4j.internal.NativeKernel.cpuFeatures();
        String arch = System.getProperty("os.arch");
        boolean x86 = arch.matches("amd64|x86_64");
        if (x86 && f < 0) {
            throw new AssertionError("no native library: the CPU's FMA bit cannot be read on " + arch);
        }
        boolean cpuHasFma = !x86 || (f & 0x14) == 0x14; // FMA3 and the OS saving YMM state, as HotSpot needs
        assertEquals(cpuHasFma, io.github.softmax4j.internal.Fma.HARDWARE, "Fma.HARDWARE vs the CPU (features "
                + Integer.toHexString(f) + ", " + arch + ")");
    }
}
