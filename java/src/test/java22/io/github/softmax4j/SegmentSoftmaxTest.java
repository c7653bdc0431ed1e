package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.softmax4j.internal.Chunked;

/**
 * {@link SegmentSoftmax} on every backend that can run here x native, heap and misaligned segments x the
 * four operations, against the float[] API of the same {@link Softmax} (bit for bit where the same kernel
 * path runs: every vector up to {@link Chunked#CHUNK} elements) and, for the chunked path above that,
 * against {@link OpsReference} within the documented bounds. Then in place, scale, safe, special values,
 * parallel, bad input, and one vector of 2^31 + 5 floats on the native backend.
 */
class SegmentSoftmaxTest {
    private static final long SEED = Long.getLong("softmax4j.test.seed", 0x5E6D0022L);
    private static final int[] SIZES = {1, 2, 7, 33, 1000, 4099, 65537};
    private static final int LONG_N = 2 * Chunked.CHUNK + 4099; // chunked path: three chunks, a short last one
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(3);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /**
     * FloatBuffer views of a confined arena's segments under a parallel Softmax: only the owner thread may
     * read them, so nothing is split across threads (helpers threw WrongThreadException), and the results are
     * the sequential ones; native byte order (the native kernels in place through FFM downcalls) and big
     * endian (copies), vectors and rows.
     */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void buffersOverConfinedSegmentsStayOnTheOwnersThread(Backend backend) {
        Softmax seq = Backends.require(backend);
        Softmax par = seq.parallel(pool).withParallelThreshold(1);
        int n = 3 * 4096 + 5;
        float[] v = new float[n];
        SplittableRandom r = new SplittableRandom(SEED + 31);
        for (int i = 0; i < n; i++) {
            v[i] = (float) (4 * r.nextGaussian());
        }
        for (java.nio.ByteOrder order : new java.nio.ByteOrder[] {java.nio.ByteOrder.nativeOrder(),
            java.nio.ByteOrder.BIG_ENDIAN}) {
            try (Arena arena = Arena.ofConfined()) {
                java.nio.FloatBuffer x = arena.allocate(4L * n, 4).asByteBuffer().order(order).asFloatBuffer();
                java.nio.FloatBuffer y = arena.allocate(4L * n, 4).asByteBuffer().order(order).asFloatBuffer();
                x.put(0, v);
                float[] want = new float[n];
                float[] got = new float[n];
                String at = backend + " " + order;
                seq.softmax(x, y);
                y.get(0, want);
                par.softmax(x, y);
                y.get(0, got);
                assertArrayEquals(want, got, at + " softmax");
                assertEquals(seq.logSumExp(x), par.logSumExp(x), at + " log-sum-exp");
                int cols = n / 5;
                seq.logSoftmaxRows(x, cols, y, cols, 5, cols);
                y.get(0, want);
                par.logSoftmaxRows(x, cols, y, cols, 5, cols);
                y.get(0, got);
                assertArrayEquals(want, got, at + " rows");
            }
        }
    }

    /** How a test segment is made. */
    enum Kind {
        /** Arena memory, 4-byte aligned: the native backends run on it in place. */
        NATIVE,
        /** MemorySegment.ofArray(float[]): the float[] API runs on the array. */
        HEAP,
        /** Arena memory at byte offset 2: the copying path. */
        MISALIGNED;

        MemorySegment make(Arena arena, float[] v) {
            MemorySegment s = switch (this) {
                case NATIVE -> arena.allocate(ValueLayout.JAVA_FLOAT, v.length);
                case HEAP -> MemorySegment.ofArray(new float[v.length]);
                case MISALIGNED -> arena.allocate(4L * v.length + 8, 8).asSlice(2, 4L * v.length);
            };
            MemorySegment.copy(v, 0, s, F, 0, v.length);
            return s;
        }
    }

    private static float[] read(MemorySegment s) {
        float[] a = new float[(int) (s.byteSize() / 4)];
        MemorySegment.copy(s, F, 0, a, 0, a.length);
        return a;
    }

    private static String ctx(Softmax sm, Kind k, int n, Reference.Dist d) {
        return sm + " " + k + " n=" + n + " dist=" + d + " seed=0x" + Long.toHexString(SEED);
    }

    /** Every op on every kind of segment, bit for bit against the float[] API (one kernel path up to CHUNK). */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void matchesFloatArrayApi(Backend backend) {
        Softmax base = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(SEED);
        for (float s : new float[] {1f, 0.7f}) {
            for (Algorithm a : Algorithm.values()) {
                Softmax sm = base.withScale(s).with(a);
                SegmentSoftmax seg = SegmentSoftmax.of(sm);
                for (int n : SIZES) {
                    for (Reference.Dist d : Reference.Dist.values()) {
                        float[] x = d.fill(new float[n], 0, n, r);
                        float[] sx = sm.softmax(x);
                        float[] lx = sm.logSoftmax(x);
                        float lse = sm.logSumExp(x);
                        int label = r.nextInt(n);
                        float ce = sm.crossEntropy(x, label);
                        for (Kind k : Kind.values()) {
                            String c = ctx(sm, k, n, d);
                            try (Arena arena = Arena.ofConfined()) {
                                MemorySegment xs = k.make(arena, x);
                                MemorySegment ys = k.make(arena, new float[n]);
                                seg.softmax(xs, ys);
                                assertArrayEquals(sx, read(ys), c + " softmax");
                                seg.logSoftmax(xs, ys);
                                assertArrayEquals(lx, read(ys), c + " logSoftmax");
                                assertEquals(lse, seg.logSumExp(xs), c + " logSumExp");
                                assertEquals(ce, seg.crossEntropy(xs, label), c + " crossEntropy");
                                assertArrayEquals(x, read(xs), c + ": input modified");
                                // in place: the same segment
                                seg.softmax(xs, xs);
                                assertArrayEquals(sx, read(xs), c + " softmax in place");
                                MemorySegment.copy(x, 0, xs, F, 0, n);
                                seg.logSoftmax(xs, xs);
                                assertArrayEquals(lx, read(xs), c + " logSoftmax in place");
                            }
                        }
                    }
                }
            }
        }
    }

    /** Above CHUNK elements: the chunked two-pass on the copying path (native segments: C in place). */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void longVectorsWithinBounds(Backend backend) {
        Softmax base = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(SEED + 1);
        int n = LONG_N;
        for (Reference.Dist d : new Reference.Dist[] {Reference.Dist.NORMAL, Reference.Dist.LLM_LOGITS}) {
            float[] x = d.fill(new float[n], 0, n, r);
            for (float s : new float[] {1f, 2.5f}) {
                Softmax sm = base.withScale(s);
                SegmentSoftmax seg = SegmentSoftmax.of(sm);
                double lse = OpsReference.logSumExp(x, 0, n, s);
                double[] p = OpsReference.softmax(x, 0, n, s);
                for (Kind k : Kind.values()) {
                    String c = ctx(sm, k, n, d);
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment xs = k.make(arena, x);
                        MemorySegment ys = k.make(arena, new float[n]);
                        assertTrue(OpsReference.lseError(seg.logSumExp(xs), lse) <= 2,
                                c + ": logSumExp " + seg.logSumExp(xs) + " vs " + lse);
                        int label = r.nextInt(n);
                        double ce = lse - (double) x[label] * s;
                        assertTrue(OpsReference.lseError(seg.crossEntropy(xs, label), ce) <= 2 + Math.abs(lse),
                                c + ": crossEntropy");
                        seg.softmax(xs, ys);
                        float[] y = read(ys);
                        for (int i = 0; i < n; i++) {
                            if (!(OpsReference.softmaxError(y[i], p[i]) <= 8)) {
                                fail(c + ": softmax[" + i + "] " + y[i] + " vs " + p[i]);
                            }
                        }
                        seg.logSoftmax(xs, xs); // in place
                        float[] l = read(xs);
                        for (int i = 0; i < n; i++) {
                            double ref = (double) x[i] * s - lse;
                            if (!(Math.abs(l[i] - ref) <= OpsReference.logSoftmaxBound(x[i], s, lse))) {
                                fail(c + ": logSoftmax[" + i + "] " + l[i] + " vs " + ref);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Special values over a long vector: the chunked exact path (and C's) against the float[] API. */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void specialValuesAndSafe(Backend backend) {
        Softmax base = Backends.require(backend);
        int n = LONG_N;
        float[][] cases = new float[5][];
        cases[0] = filled(n, 0.5f, n - 3, Float.NaN);
        cases[1] = filled(n, -2f, Chunked.CHUNK + 1, Float.POSITIVE_INFINITY);
        cases[2] = filled(n, Float.NEGATIVE_INFINITY, -1, 0);
        cases[3] = filled(n, -3f, 5, 1e30f);                          // huge finite: exact path, exact answer
        cases[4] = filled(n, Float.NEGATIVE_INFINITY, Chunked.CHUNK + 7, 1f); // one finite among -Inf
        for (boolean safe : new boolean[] {false, true}) {
            Softmax sm = base.withSafe(safe);
            SegmentSoftmax seg = SegmentSoftmax.of(sm);
            for (int t = 0; t < cases.length; t++) {
                float[] x = cases[t];
                for (Kind k : Kind.values()) {
                    String c = sm + " " + k + " case " + t;
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment xs = k.make(arena, x);
                        MemorySegment ys = k.make(arena, new float[n]);
                        assertEquals(sm.logSumExp(x), seg.logSumExp(xs), c + " logSumExp");
                        seg.softmax(xs, ys);
                        assertArrayEquals(sm.softmax(x), read(ys), c + " softmax");
                        seg.logSoftmax(xs, ys);
                        assertArrayEquals(sm.logSoftmax(x), read(ys), c + " logSoftmax");
                    }
                }
            }
        }
    }

    private static float[] filled(int n, float v, int at, float w) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        if (at >= 0) {
            x[at] = w;
        }
        return x;
    }

    /** A parallel instance: native and copying paths split across threads, against the sequential result. */
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void parallel(Backend backend) {
        Softmax seq = Backends.require(backend);
        Softmax par = seq.parallel(pool).withParallelThreshold(1000);
        SplittableRandom r = new SplittableRandom(SEED + 2);
        for (int n : new int[] {70_001, LONG_N}) {
            float[] x = Reference.Dist.LLM_LOGITS.fill(new float[n], 0, n, r);
            double lse = OpsReference.logSumExp(x, 0, n, 1f);
            double[] p = OpsReference.softmax(x, 0, n, 1f);
            for (Kind k : Kind.values()) {
                for (boolean shared : new boolean[] {false, true}) {
                    String c = par + " " + k + (shared ? " shared" : " confined") + " n=" + n;
                    try (Arena arena = shared ? Arena.ofShared() : Arena.ofConfined()) {
                        MemorySegment xs = k.make(arena, x);
                        MemorySegment ys = k.make(arena, new float[n]);
                        SegmentSoftmax seg = SegmentSoftmax.of(par);
                        assertTrue(OpsReference.lseError(seg.logSumExp(xs), lse) <= 2, c + " logSumExp");
                        seg.softmax(xs, ys);
                        float[] y = read(ys);
                        for (int i = 0; i < n; i++) {
                            if (!(OpsReference.softmaxError(y[i], p[i]) <= 8)) {
                                fail(c + ": softmax[" + i + "] " + y[i] + " vs " + p[i]);
                            }
                        }
                        seg.logSoftmax(xs, xs);
                        float[] l = read(xs);
                        for (int i = 0; i < n; i++) {
                            double ref = (double) x[i] - lse;
                            if (!(Math.abs(l[i] - ref) <= OpsReference.logSoftmaxBound(x[i], 1f, lse))) {
                                fail(c + ": logSoftmax[" + i + "] " + l[i] + " vs " + ref);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The default instance (native; in the JDK 22+ run with tiny calls routed to Java) runs native segments on
     * its native kernel.
     */
    @Test
    void defaultInstance() {
        Softmax sm = Softmax.get();
        SegmentSoftmax seg = SegmentSoftmax.of(sm);
        float[] x = Reference.Dist.NORMAL.fill(new float[1000], 0, 1000, new SplittableRandom(SEED + 3));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = Kind.NATIVE.make(arena, x);
            seg.softmax(xs, xs);
            assertArrayEquals(sm.softmax(x), read(xs), sm.toString());
        }
    }

    @Test
    void emptySegments() {
        SegmentSoftmax seg = SegmentSoftmax.of(Softmax.get());
        seg.softmax(MemorySegment.ofArray(new float[0]), MemorySegment.ofArray(new float[0]));
        assertEquals(Float.NEGATIVE_INFINITY, seg.logSumExp(MemorySegment.ofArray(new float[0])));
        assertThrows(IndexOutOfBoundsException.class, () -> seg.crossEntropy(MemorySegment.ofArray(new float[0]), 0));
    }

    @Test
    void badInput() {
        SegmentSoftmax seg = SegmentSoftmax.of(Softmax.get());
        float[] v = {1, 2, 3, 4, 5, 6, 7, 8};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = Kind.NATIVE.make(arena, v);
            MemorySegment y = arena.allocate(32, 4);
            assertThrows(NullPointerException.class, () -> SegmentSoftmax.of(null));
            assertThrows(NullPointerException.class, () -> seg.softmax(null, y));
            assertThrows(NullPointerException.class, () -> seg.logSoftmax(x, null));
            assertThrows(NullPointerException.class, () -> seg.logSumExp(null));
            assertThrows(NullPointerException.class, () -> seg.crossEntropy(null, 0));
            // byte sizes that are not whole floats, sizes that differ
            assertThrows(IllegalArgumentException.class, () -> seg.softmax(x.asSlice(0, 30), y.asSlice(0, 30)));
            assertThrows(IllegalArgumentException.class, () -> seg.logSumExp(x.asSlice(0, 6)));
            assertThrows(IllegalArgumentException.class, () -> seg.crossEntropy(x.asSlice(0, 5), 0));
            assertThrows(IllegalArgumentException.class, () -> seg.softmax(x, y.asSlice(0, 28)));
            // partial overlap (also at the same address with a different length is a size mismatch)
            assertThrows(IllegalArgumentException.class, () -> seg.softmax(x.asSlice(0, 16), x.asSlice(4, 16)));
            assertThrows(IllegalArgumentException.class, () -> seg.logSoftmax(x.asSlice(8, 16), x.asSlice(0, 16)));
            MemorySegment heap = MemorySegment.ofArray(v.clone());
            assertThrows(IllegalArgumentException.class, () -> seg.softmax(heap.asSlice(0, 16), heap.asSlice(12, 16)));
            // read-only output: IllegalArgumentException, as MemorySegment's own writes
            assertThrows(IllegalArgumentException.class, () -> seg.softmax(x, y.asReadOnly()));
            assertThrows(IllegalArgumentException.class, () -> seg.softmax(heap, heap.asReadOnly()));
            // labels
            assertThrows(IndexOutOfBoundsException.class, () -> seg.crossEntropy(x, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> seg.crossEntropy(x, -1));
            // a read-only input is fine, and nothing above touched x
            seg.softmax(x.asReadOnly(), y);
            // (the backend itself: the default instance sends calls this short to the Vector API, whose
            // exp is another method, while native segments always go to the native kernel)
            assertArrayEquals(Softmax.of(seg.softmax().backend()).softmax(v), read(y));
            assertArrayEquals(v, read(x));
            // another thread may not use a confined segment
            Throwable[] thrown = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    seg.logSumExp(x);
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            t.start();
            t.join();
            assertTrue(thrown[0] instanceof WrongThreadException, String.valueOf(thrown[0]));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        // a closed scope: IllegalStateException before any access
        Arena arena = Arena.ofConfined();
        MemorySegment x = Kind.NATIVE.make(arena, v);
        MemorySegment y = arena.allocate(32, 4);
        arena.close();
        assertThrows(IllegalStateException.class, () -> seg.softmax(x, y));
        assertThrows(IllegalStateException.class, () -> seg.logSumExp(x));
        assertThrows(IllegalStateException.class, () -> seg.crossEntropy(x, 1));
        assertThrows(IllegalStateException.class, () -> seg.softmax(MemorySegment.ofArray(v), y));
    }

    /**
     * LARGE (2^31 + 5 floats = 8 GiB, native backend only): more elements than any array or buffer holds.
     * x[i] = i mod 4, so every answer has a closed form: value v occurs c_v times, S = sum c_v e^v,
     * logSumExp = log S, softmax = e^v / S. Skipped loudly without the memory or a native backend.
     */
    @Test
    void moreThan2To31Elements() {
        long n = (1L << 31) + 5;
        long bytes = 4 * n;
        long free = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getFreeMemorySize();
        Softmax nat = null;
        for (Backend b : Softmax.available()) {
            if (b.isNative()) {
                nat = Softmax.of(b);
                break;
            }
        }
        String why = nat == null ? "no native backend can run here"
                : free < bytes + (2L << 30) ? "needs " + ((bytes >> 20) + 2048) + " MiB of free RAM, " + (free >> 20)
                        + " MiB free" : null;
        if (why != null) {
            System.out.println("!!! SKIPPED 2^31 + 5 element segment test: " + why);
            Assumptions.abort(why);
        }
        SegmentSoftmax seg = SegmentSoftmax.of(nat);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x;
            try {
                x = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            } catch (OutOfMemoryError e) {
                String w = "SKIPPED 2^31 + 5 element segment test: " + e.getMessage()
                        + " (raise -XX:MaxDirectMemorySize)";
                System.out.println("!!! " + w);
                Assumptions.abort(w);
                return;
            }
            long t0 = System.nanoTime();
            long block = 1 << 24;
            LongStream.range(0, (n + block - 1) / block).parallel().forEach(b -> {
                long end = Math.min(n, (b + 1) * block);
                for (long i = b * block; i < end; i++) {
                    x.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (i & 3));
                }
            });
            long t1 = System.nanoTime();
            double[] count = new double[4];
            for (int v = 0; v < 4; v++) {
                count[v] = (n - v + 3) / 4; // indexes i < n with i mod 4 == v
            }
            double sum = 0;
            for (int v = 0; v < 4; v++) {
                sum += count[v] * Math.exp(v);
            }
            double lse = Math.log(sum);
            float got = seg.logSumExp(x);
            long t2 = System.nanoTime();
            assertTrue(OpsReference.lseError(got, lse) <= 2, "logSumExp " + got + " vs " + lse);
            assertEquals((float) (lse - 3), seg.crossEntropy(x, n - 2), Math.ulp((float) lse) * 2,
                    "crossEntropy at label n - 2 (value 3)");
            long t2b = System.nanoTime();
            seg.softmax(x, x); // in place: 8 GiB more would not fit everywhere
            long t3 = System.nanoTime();
            for (long i : new long[] {0, 1, 2, 3, 1L << 30, (1L << 31) - 1, 1L << 31, n - 2, n - 1}) {
                double ref = Math.exp(i & 3) / sum;
                float y = x.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                assertTrue(Math.abs(y - ref) <= 8 * Math.ulp((float) ref), "softmax[" + i + "] " + y + " vs " + ref);
            }
            // a sample: the first 2^22 outputs sum to 2^20 (1 + e + e^2 + e^3) / S
            double sample = 0;
            for (long i = 0; i < 1 << 22; i++) {
                sample += x.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            }
            double want = (1 << 20) * (1 + Math.E + Math.exp(2) + Math.exp(3)) / sum;
            assertEquals(want, sample, want * 1e-6, "sum of the first 2^22 outputs");
            System.out.printf("INFO (not a benchmark) 2^31 + 5 floats on %s: fill %.1f s, logSumExp %.2f s, "
                    + "softmax in place %.2f s%n", nat.backend(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2b) / 1e9);
        }
    }
}
