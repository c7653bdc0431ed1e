package io.github.softmax4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The concurrency and GC check of issue 4, runnable in this JVM ({@link ConcurrencyTest}, G1) or as the
 * main class of a child JVM (ZGC): {@value #THREADS} threads for a bounded time call every available
 * backend x every algorithm on inputs of mixed sizes (1..70000, tails of every vector width), through
 * arrays at offsets, in place, heap and direct buffers, while another thread calls {@code System.gc()} in a
 * loop and garbage is allocated; every result must be bit-identical to the single-threaded result of the
 * same backend, algorithm and input, computed before the threads start.
 */
public final class StressMain {
    static final int THREADS = 8;
    private static final int[] SIZES = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 129, 255, 1000,
        1001, 4095, 4096, 4097, 8193, 12345, 30011, 65536, 65537, 70000};

    private StressMain() {
    }

    /** Result of one run: calls made, mismatches (with the first described), backends covered. */
    static final class Outcome {
        final long calls;
        final long gcs;
        final long mismatches;
        final String firstMismatch;
        final List<Backend> backends;

        Outcome(long calls, long gcs, long mismatches, String firstMismatch, List<Backend> backends) {
            this.calls = calls;
            this.gcs = gcs;
            this.mismatches = mismatches;
            this.firstMismatch = firstMismatch;
            this.backends = backends;
        }

        @Override
        public String toString() {
            return THREADS + " threads, " + backends + ", " + calls + " calls, " + gcs + " System.gc(), "
                    + mismatches + " mismatches" + (firstMismatch == null ? "" : " (first: " + firstMismatch + ")");
        }
    }

    static Outcome run(double seconds, long seed) throws InterruptedException {
        List<Softmax> softmaxes = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        for (Backend b : Softmax.available()) {
            backends.add(b);
            for (Algorithm a : Algorithm.values()) {
                softmaxes.add(Softmax.of(b).with(a));
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        Reference.Dist[] dists = Reference.Dist.values();
        float[][] inputs = new float[SIZES.length][];
        for (int i = 0; i < SIZES.length; i++) {
            inputs[i] = dists[i % dists.length].fill(new float[SIZES[i]], 0, SIZES[i], r);
        }
        // the single-threaded results, before any concurrency
        float[][][] expected = new float[softmaxes.size()][inputs.length][];
        for (int s = 0; s < softmaxes.size(); s++) {
            for (int i = 0; i < inputs.length; i++) {
                expected[s][i] = softmaxes.get(s).softmax(inputs[i]);
            }
        }
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong calls = new AtomicLong();
        AtomicLong gcs = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        AtomicReference<String> first = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread gc = new Thread(() -> {
            while (System.nanoTime() < deadline) {
                System.gc();
                gcs.incrementAndGet();
                try {
                    Thread.sleep(2); // back-to-back full GCs under G1 would leave the workers almost no time
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stress-gc");
        gc.setDaemon(true);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long threadSeed = seed * 31 + t;
            Thread w = new Thread(() -> {
                SplittableRandom tr = new SplittableRandom(threadSeed);
                List<Object> garbage = new ArrayList<>();
                try {
                    while (System.nanoTime() < deadline && error.get() == null) {
                        int s = tr.nextInt(softmaxes.size());
                        int i = tr.nextInt(inputs.length);
                        int mode = tr.nextInt(5);
                        float[] got = call(softmaxes.get(s), inputs[i], mode, tr);
                        calls.incrementAndGet();
                        if (!Arrays.equals(got, expected[s][i])) {
                            mismatches.incrementAndGet();
                            first.compareAndSet(null, softmaxes.get(s) + " n=" + inputs[i].length + " mode=" + mode);
                        }
                        // churn: objects for the collector to move while other threads are in native code
                        garbage.add(new float[1 + tr.nextInt(20_000)]);
                        if (garbage.size() > 64) {
                            garbage.clear();
                        }
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            }, "stress-" + t);
            workers.add(w);
        }
        gc.start();
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        gc.join();
        if (error.get() != null) {
            throw new AssertionError("a stress thread failed", error.get());
        }
        return new Outcome(calls.get(), gcs.get(), mismatches.get(), first.get(), backends);
    }

    /** One call in one of five shapes; returns the output as a fresh array. */
    private static float[] call(Softmax s, float[] in, int mode, SplittableRandom r) {
        int n = in.length;
        switch (mode) {
            case 0:
                return s.softmax(in);
            case 1: { // arrays at offsets
                int xo = r.nextInt(9), yo = r.nextInt(9);
                float[] x = new float[n + xo + 3];
                System.arraycopy(in, 0, x, xo, n);
                float[] y = new float[n + yo + 1];
                s.softmax(x, xo, y, yo, n);
                return Arrays.copyOfRange(y, yo, yo + n);
            }
            case 2: { // in place
                float[] x = in.clone();
                s.softmax(x, x);
                return x;
            }
            case 3: { // direct buffers, native order
                FloatBuffer x = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
                x.put(in).flip();
                FloatBuffer y = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
                s.softmax(x, y);
                float[] out = new float[n];
                y.get(out);
                return out;
            }
            default: { // heap buffer slices
                FloatBuffer x = FloatBuffer.wrap(new float[n + 2]).position(2).slice();
                x.put(in).flip();
                FloatBuffer y = FloatBuffer.allocate(n);
                s.softmax(x, y);
                return y.array();
            }
        }
    }

    /** Child-JVM entry: args[0] = seconds. Exit 0 when every result was bit-identical. */
    public static void main(String[] args) throws InterruptedException {
        double seconds = Double.parseDouble(args[0]);
        String gcs = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName).reduce((a, b) -> a + ", " + b).orElse("?");
        Outcome o = run(seconds, 20240401L);
        System.out.println("STRESS collectors [" + gcs + "] " + seconds + " s: " + o);
        System.exit(o.mismatches == 0 && o.calls > 0 ? 0 : 1);
    }
}
