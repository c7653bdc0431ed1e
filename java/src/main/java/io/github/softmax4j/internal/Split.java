package io.github.softmax4j.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

/**
 * Multi-threaded drivers over any {@link Kernel}. A long vector is cut into parts at multiples of
 * {@link ExpConstants#BLOCK}: pass 1 ({@link Kernel#sumExp}) runs on every part at once, the partial sums
 * (m, e) are merged exactly by the max rule ({@link ExtSum}), then pass 2 ({@link Kernel#finish}) runs on
 * every part at once. Nothing but the 16-byte partial sums crosses threads, and no part reads another's
 * output, so in-place calls work. A batch of rows is cut into groups of rows instead. The calling thread
 * runs the first part itself.
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

    /**
     * op over a vector of n elements in {@code parts} parts; returns logsumexp. Lengths are long so that
     * a MemorySegment (JDK 22+) of more than 2^31 elements splits the same way; with one part nothing
     * runs on the executor (it may then be null).
     */
    public static double vector(Executor executor, int parts, Op op, float s, long n, Vector v) {
        long per = ceilBlocks(n, parts);
        int tasks = (int) ((n + per - 1) / per);
        double[][] me = new double[tasks][2];
        forEach(executor, tasks, t -> {
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
            forEach(executor, tasks, t -> {
                long from = t * per;
                v.finish(from, Math.min(per, n - from), sum.m, sum.e);
            });
        }
        return ExpConstants.lse(sum.m, sum.e);
    }

    /** {@code body.accept(firstRow, rowCount)} for groups of rows, in {@code parts} groups at once. */
    public static void rows(Executor executor, int parts, int rows, RowRange body) {
        int per = (rows + parts - 1) / parts;
        int tasks = (rows + per - 1) / per;
        forEach(executor, tasks, t -> body.run(t * per, Math.min(per, rows - t * per)));
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

    /** Runs body(0..tasks-1): task 0 on this thread, the others on the executor; rethrows the first failure. */
    private static void forEach(Executor executor, int tasks, IntConsumer body) {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[tasks - 1];
        for (int t = 1; t < tasks; t++) {
            int task = t;
            futures[t - 1] = CompletableFuture.runAsync(() -> body.accept(task), executor);
        }
        Throwable failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (CompletableFuture<?> f : futures) {
            try {
                f.join();
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause() != null ? e.getCause() : e;
                }
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new CompletionException(failure);
        }
    }
}
