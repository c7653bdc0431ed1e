package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/**
 * A shared arena closed by another thread while {@link SegmentSoftmax} computes on its segments (the JVM
 * crash of issue 11, with 2^27 floats and a close ~5 ms into the call): every call either completes or
 * throws {@link IllegalStateException}, the JVM never crashes, and a sentinel region around y, in another
 * arena, is never written. Thousands of races, on the best native backend, for softmax, log-softmax,
 * log-sum-exp and the parallel split; and the same through {@link Softmax}'s {@link FloatBuffer} calls on views
 * of those segments ({@code asByteBuffer()}: a JNI call got the raw address and nothing kept the arena alive,
 * the same crash, found by a review in the thirty-first session).
 */
class ArenaCloseRaceTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Test
    void closingASharedArenaDuringCallsNeverCrashes() throws Exception {
        Backend best = Softmax.available().stream().filter(Backend::isNative).findFirst().orElse(null);
        if (best == null) {
            System.out.println("!!! ArenaCloseRaceTest SKIPPED: no native backend here (the race is in native code)");
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            Softmax sm = Softmax.of(best);
            Softmax[] softmaxes = {sm, sm.parallel(pool).withParallelThreshold(1 << 12)};
            SegmentSoftmax[] fronts = {SegmentSoftmax.of(softmaxes[0]), SegmentSoftmax.of(softmaxes[1])};
            SplittableRandom r = new SplittableRandom(0xA2E4AL);
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            int races = 0;
            for (int round = 0; round < 3000; round++) {
                // mostly short vectors (many races), now and then a long one (a long window)
                int n = round % 100 == 0 ? 1 << 24 : 1 << (10 + r.nextInt(8));
                int front = r.nextInt(fronts.length);
                SegmentSoftmax seg = fronts[front];
                Softmax buf = softmaxes[front];
                int op = r.nextInt(7);
                try (Arena guard = Arena.ofConfined()) {
                    MemorySegment sentinel = guard.allocate(F, 64);
                    sentinel.fill((byte) 0x5A);
                    Arena arena = Arena.ofShared();
                    MemorySegment x = arena.allocate(F, n);
                    MemorySegment y = arena.allocate(F, n);
                    for (long i = 0; i < n; i += 97) {
                        x.setAtIndex(F, i, (float) r.nextGaussian());
                    }
                    FloatBuffer xb = x.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
                    FloatBuffer yb = y.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
                    long delayNanos = r.nextLong(n >= 1 << 24 ? 5_000_000 : 200_000);
                    var closing = closer.submit(() -> {
                        long until = System.nanoTime() + delayNanos;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        while (true) {
                            try {
                                arena.close();
                                return;
                            } catch (IllegalStateException busy) {
                                Thread.onSpinWait(); // a call holds the scope: try again
                            }
                        }
                    });
                    for (int call = 0; call < 1000; call++) {
                        try {
                            switch (op) {
                                case 0 -> seg.softmax(x, y);
                                case 1 -> seg.logSoftmax(x, y);
                                case 2 -> seg.logSumExp(x);
                                case 3 -> buf.softmax(xb, yb);
                                case 4 -> buf.logSoftmax(xb, yb);
                                case 5 -> buf.logSumExp(xb);
                                default -> buf.softmaxRows(xb, n / 4, yb, n / 4, 4, n / 4);
                            }
                            completed.incrementAndGet();
                        } catch (IllegalStateException closed) {
                            refused.incrementAndGet();
                            break; // the arena is gone: the call refused to start, nothing was read
                        }
                    }
                    closing.get(30, TimeUnit.SECONDS);
                    races++;
                    for (long i = 0; i < 64; i++) {
                        assertEquals((byte) 0x5A, sentinel.get(ValueLayout.JAVA_BYTE, i), "sentinel written");
                    }
                }
            }
            System.out.println("ArenaCloseRaceTest " + best + ": " + races + " arenas closed during calls, "
                    + completed.get() + " calls completed, " + refused.get() + " refused with IllegalStateException");
            assertEquals(3000, races);
            assertTrue(refused.get() > 0, "no call ever met a closed arena: the race did not happen");
        } finally {
            pool.shutdownNow();
            closer.shutdownNow();
        }
    }
}
