package io.github.softmax4j.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Multi-threaded drivers over any {@link Kernel}. A long vector is cut into parts at multiples of
 * {@link ExpConstants#BLOCK}: pass 1 ({@link Kernel#sumExp}) runs on every part at once, the partial sums
 * (m, e) are merged exactly by the max rule ({@link ExtSum}), then pass 2 ({@link Kernel#finish}) runs on
 * every part at once. Nothing but the 16-byte partial sums crosses threads, and no part reads another's
 * output, so in-place calls work. A batch of rows is cut into groups of rows instead.
 *
 * <p>Parts are claimed, not assigned: the calling thread starts on them at once and each helper task
 * claims the next free part when it runs. Waking a parked pool thread took ~130 us per round on the
 * development VM (JMH: a parallel call of 32K elements cost 330 us against 20 us on one thread), so with
 * fixed assignment every call waited for the slowest wake-up; with claiming, the caller works meanwhile and
 * a late helper only takes what is left. A helper that runs inline (a direct executor) takes all parts and
 * the caller none, so no executor can deadlock it. Up to four parts per thread, of at least
 * {@link #MIN_PART} elements.
 */
public final class Split {
    private Split() {
    }

    /** One long vector, seen by the parts as offsets into it. */
    public interface Vector {
        /** Pass 1 over [from, from+len). */
        void sumExp(long from, long len, double[] me);

        /** Pass 2 over [from, from+len) for the total m * 2^e. */
        void finish(long from, long len, double m, double e);

        /** The whole operation on one thread (the exact path, when the merged sum leaves the fast range). */
        double whole();
    }

    /** Smallest part of a split vector: below it the per-part calls cost more than they share. */
    static final long MIN_PART = 1 << 16;

    /**
     * op over a vector of n elements on up to {@code threads} threads (the caller and threads - 1 helper
     * tasks on the executor); returns logsumexp. Lengths are long so that a MemorySegment (JDK 22+) of more
     * than 2^31 elements splits the same way; with one thread nothing runs on the executor (it may then be
     * null).
     */
    public static double vector(Executor executor, int threads, Op op, float s, long n, Vector v) {
        long want = Math.max(threads, Math.min(4L * threads, n / MIN_PART));
        long per = ceilBlocks(n, (int) want);
        int parts = (int) ((n + per - 1) / per);
        double[][] me = new double[parts][2];
        forEach(executor, threads, parts, t -> {
            long from = t * per;
            v.sumExp(from, Math.min(per, n - from), me[t]);
        });
        ExtSum sum = new ExtSum();
        for (double[] p : me) {
            sum.add(p[0], p[1]);
        }
        if (!ExpConstants.scaleValid(s) || !sum.fastPathValid()) {
            return v.whole();
        }
        if (op != Op.LOG_SUM_EXP) {
            forEach(executor, threads, parts, t -> {
                long from = t * per;
                v.finish(from, Math.min(per, n - from), sum.m, sum.e);
            });
        }
        return ExpConstants.lse(sum.m, sum.e);
    }

    /** {@code body.run(firstRow, rowCount)} for groups of rows, on up to {@code threads} threads. */
    public static void rows(Executor executor, int threads, int rows, RowRange body) {
        int want = Math.min(rows, 4 * threads);
        int per = (rows + want - 1) / want;
        int parts = (rows + per - 1) / per;
        forEach(executor, threads, parts, t -> body.run(t * per, Math.min(per, rows - t * per)));
    }

    /** A group of rows. */
    public interface RowRange {
        void run(int firstRow, int rowCount);
    }

    /** Part length: n / parts rounded up to whole blocks (so parts sum blocks as one call would). */
    private static long ceilBlocks(long n, int parts) {
        long per = (n + parts - 1) / parts;
        return (per + ExpConstants.BLOCK - 1) / ExpConstants.BLOCK * ExpConstants.BLOCK;
    }

    /**
     * Runs body(0..parts-1), each part exactly once, on this thread and up to threads - 1 helper tasks on
     * the executor, every thread claiming the next free part; returns when every part has finished (not
     * when every helper has: a helper that wakes after the caller took all parts finds none and ends on its
     * own, so the caller never waits for a wake-up it does not need). Rethrows the first failure.
     */
    private static void forEach(Executor executor, int threads, int parts, IntConsumer body) {
        AtomicInteger next = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(parts);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable claim = () -> {
            for (int t; (t = next.getAndIncrement()) < parts;) {
                try {
                    if (failure.get() == null) {
                        body.accept(t);
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    finished.countDown();
                }
            }
        };
        for (int h = Math.min(threads - 1, parts - 1); h > 0; h--) {
            try {
                executor.execute(claim);
            } catch (RuntimeException e) { // e.g. RejectedExecutionException: this thread does the parts
                break;
            }
        }
        claim.run();
        // Parts a helper claimed may still run: wait for them (they write the caller's arrays).
        boolean interrupted = false;
        while (true) {
            try {
                finished.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f = failure.get();
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f instanceof Error) {
            throw (Error) f;
        }
    }
}
