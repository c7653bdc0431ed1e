package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Concurrency and GC ({@link StressMain}): 8 threads x every available backend x every algorithm x sizes
 * 1..70000 while another thread calls System.gc() in a loop; every result bit-identical to the
 * single-threaded one. Once in this JVM (the default collector, G1) and once in a child JVM with ZGC.
 * {@code -Dsoftmax4j.stressSeconds=S} sets each run's duration (default 5 s: ~10 s in all).
 */
class ConcurrencyTest {
    private static double seconds() {
        return Double.parseDouble(System.getProperty("softmax4j.stressSeconds", "5"));
    }

    @Test
    void threadsAndGcUnderTheTestJvmsCollector() throws Exception {
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        StressMain.Outcome o = StressMain.run(seconds(), 42);
        System.out.println("STRESS collectors [" + gcs + "] " + seconds() + " s: " + o);
        assertTrue(o.calls > 0, "no call made");
        assertEquals(0, o.mismatches, o.toString());
        assertEquals(Softmax.available().size(), o.backends.size());
    }

    @Test
    void threadsAndGcUnderZgc() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-XX:+UseZGC", "-Xmx1g", "-Xss4m"), StressMain.class,
                (long) (120 + 3 * seconds()), Double.toString(seconds()));
        assertEquals(0, r.exitCode, "ZGC stress run failed:\n" + r.output());
        assertTrue(r.lines.stream().anyMatch(l -> l.startsWith("STRESS collectors [ZGC")),
                "the child did not run ZGC:\n" + r.output());
    }
}
