package io.github.softmax4j.internal;

import java.util.concurrent.Executor;

import io.github.softmax4j.Algorithm;

/**
 * The one dispatcher of every front ({@code Softmax}, {@code Sampler}, and on JDK 22+ {@code SegmentSoftmax}):
 * a configuration (kernel, algorithm, scale, flags, threads) and the path each call takes — tiny calls to the
 * Java kernel (if configured), a long vector split across threads, a batch of rows split by rows, else one
 * kernel call. The fronts check arguments and describe their memory as a {@link Span}; nothing else decides.
 * Immutable.
 */
public final class Dispatch {
    /**
     * Largest call, in elements (all rows together), that the default selection sends to the Vector API
     * kernel instead of the native one when {@code -Dsoftmax4j.tinyCalls=vector}: a JNI call with two pinned
     * arrays costs about 100 ns here before any work is done, while the compiled Vector API backend finishes
     * n = 1 in ~35 ns and n = 32 in ~90 ns (JMH, {@code SoftmaxBenchmark}, see the README's results); until
     * C2 has compiled its kernels (~10,000 calls) it takes 0.1-0.5 ms per call, hence not the default.
     * Results of such calls are within the same bounds.
     */
    public static final int MAX_SMALL_CALL = 64;

    /** The lse output of a call whose op returns none (the rows entries' lse array, empty). */
    public static final double[] NO_LSE = new double[0];

    private final Kernel kernel;
    private final Kernel small; // null: every call to kernel
    private final NativeKernel nativeKernel; // kernel, when it also reads raw memory (direct buffers, segments)
    private final Algorithm algorithm;
    private final float scale;
    private final boolean safe;
    private final Executor executor; // null: sequential
    private final int parallelThreshold;

    private Dispatch(Kernel kernel, Kernel small, Algorithm algorithm, float scale, boolean safe, Executor executor,
            int parallelThreshold) {
        this.kernel = kernel;
        this.small = small;
        // the one type test of the call path: the native kernel has entry points for raw memory besides Kernel
        this.nativeKernel = kernel instanceof NativeKernel ? (NativeKernel) kernel : null;
        this.algorithm = algorithm;
        this.scale = scale;
        this.safe = safe;
        this.executor = executor;
        this.parallelThreshold = parallelThreshold;
    }

    /**
     * A sequential dispatcher with AUTO, scale 1, not safe.
     *
     * @param small the kernel of calls of at most {@link #MAX_SMALL_CALL} elements, or null
     */
    public static Dispatch of(Kernel kernel, Kernel small, int parallelThreshold) {
        return new Dispatch(kernel, small, Algorithm.AUTO, 1f, false, null, parallelThreshold);
    }

    public Dispatch with(Algorithm algorithm, float scale, boolean safe, Executor executor, int parallelThreshold) {
        return new Dispatch(kernel, small, algorithm, scale, safe, executor, parallelThreshold);
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The kernel of a call of this many elements (all rows together). */
    public Kernel kernel(long elements) {
        return routesSmall(elements) ? small : kernel;
    }

    boolean routesSmall(long elements) {
        return small != null && elements <= MAX_SMALL_CALL;
    }

    /** The native kernel when it is the large-call kernel, else null. */
    public NativeKernel nativeKernel() {
        return nativeKernel;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public float scale() {
        return scale;
    }

    public boolean safe() {
        return safe;
    }

    public Executor executor() {
        return executor;
    }

    public int parallelThreshold() {
        return parallelThreshold;
    }

    /** The op flags of this configuration for op (log-sum-exp has none). */
    int flags(Op op) {
        return safe && op != Op.LOG_SUM_EXP ? Op.FLAG_SAFE : 0;
    }

    /**
     * Whether op over a vector of this length is split across threads: the split runs the two-pass, which every
     * op but softmax uses whatever the algorithm; softmax only when the algorithm allows it.
     */
    private boolean splitVector(Op op, long elements) {
        return executor != null && elements >= parallelThreshold
                && (op != Op.SOFTMAX || algorithm == Algorithm.AUTO || algorithm == Algorithm.TWO_PASS);
    }

    private boolean splitRows(int rows, long cols) {
        return executor != null && rows > 1 && rows * cols >= parallelThreshold;
    }

    private static int threads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Softmax or log-softmax over {@code rows} rows of {@code cols} elements of io (both at least 1). */
    public void run(Op op, Span io, int rows, long cols) {
        if (op == Op.LOG_SUM_EXP) {
            throw new IllegalArgumentException("log-sum-exp needs room for its results");
        }
        run(op, io, rows, cols, NO_LSE);
    }

    /**
     * op over {@code rows} rows of {@code cols} elements of io (both at least 1); for {@link Op#LOG_SUM_EXP}
     * each row's log-sum-exp into {@code lse[r]}. Returns row 0's log-sum-exp for LOG_SUM_EXP, else NaN.
     */
    public double run(Op op, Span io, int rows, long cols, double[] lse) {
        int flags = flags(op);
        if (rows == 1 && io.splittable() && splitVector(op, cols)) {
            double v = split(op, flags, io, cols);
            if (op == Op.LOG_SUM_EXP) {
                lse[0] = v;
            }
        } else {
            // rows of a span that is not splittable (memory whose overlap with y could not be checked, copied
            // whole before anything is written; or memory other threads may not read) stay on this thread
            Split.RowRange body = (first, count) -> io.rows(this, op, flags, first, count, cols, lse);
            if (io.splittable()) {
                eachRows(rows, cols, body);
            } else {
                body.run(0, rows);
            }
        }
        return op == Op.LOG_SUM_EXP ? lse[0] : Double.NaN;
    }

    /** Softmax over rows of arrays with each row's argmax into index[0, rows) (rows and cols at least 1). */
    public void softmaxArgmax(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int rows,
            int cols, int[] index) {
        Span.Arrays io = new Span.Arrays(x, xOff, xStride, y, yOff, yStride);
        int flags = flags(Op.SOFTMAX);
        if (rows == 1 && splitVector(Op.SOFTMAX, cols)) { // threads write y; then one argmax pass over it
            split(Op.SOFTMAX, flags, io, cols);
            long a = kernel(cols).argmax(y, yOff, cols);
            index[0] = a < 0 ? -1 : (int) a;
        } else {
            eachRows(rows, cols, (first, count) -> io.softmaxArgmax(this, flags, first, count, cols, index));
        }
    }

    /** Log-sum-exp of one non-empty range of an array, in double. */
    public double lse(float[] x, int off, int n) {
        return run(Op.LOG_SUM_EXP, Span.arrays(x, off, n, x, off, n), 1, n, new double[1]);
    }

    /**
     * Double precision: op over {@code rows} rows of {@code cols} elements (both at least 1), split by rows
     * across threads as the float rows are (a long vector is not split: f64 has no split two-pass); for
     * {@link Op#LOG_SUM_EXP} each row's log-sum-exp into {@code lse[r]}.
     */
    public void runF64(Op op, double[] x, int xOff, int xStride, double[] y, int yOff, int yStride, int rows, int cols,
            double[] lse) {
        int flags = flags(op);
        eachRows(rows, cols, (first, count) -> kernel((long) count * cols).rowsF64(op, algorithm, flags, scale, x,
                xOff + first * xStride, xStride, y, yOff + first * yStride, yStride, count, cols, lse, first));
    }

    /**
     * Sampling: pass 1 of the split two-pass over the blocks of {@code block} elements of {@code x[off, off+n)}
     * (the last one shorter), one kernel call each: {@code mass[b]} = block b's sum of exp(s*x) times 2^-E, and
     * {@code me} = {m, E} the blocks' sum merged exactly ({@link ExtSum}), sum exp(s*x) = m * 2^E. False (mass and
     * me undefined) when the fast path cannot take the range: a NaN, an infinity, all -Inf, or values or a scale
     * beyond its range (the kernels then ask for the exact path).
     */
    public boolean blockMasses(float[] x, int off, int n, int block, double[] mass, double[] me) {
        Kernel k = kernel(n);
        int blocks = (n + block - 1) / block;
        double[] e = new double[blocks];
        ExtSum sum = new ExtSum();
        for (int b = 0; b < blocks; b++) {
            k.sumExp(scale, x, off + b * block, Math.min(block, n - b * block), me);
            mass[b] = me[0];
            e[b] = me[1];
            sum.add(me[0], me[1]);
        }
        if (!sum.fastPathValid()) {
            return false;
        }
        for (int b = 0; b < blocks; b++) {
            mass[b] = mass[b] == 0 ? 0 : Math.scalb(mass[b], (int) (e[b] - sum.e));
        }
        me[0] = sum.m;
        me[1] = sum.e;
        return true;
    }

    /** Sampling: pass 2 of that split for {@code x[off, off+len)}: {@code y[0, len)} = exp(s*x) / (m * 2^e). */
    public void blockSoftmax(float[] x, int off, int len, float[] y, double m, double e) {
        kernel(len).finish(Op.SOFTMAX, scale, x, off, y, 0, len, m, e);
    }

    /** The concrete algorithm a sequential softmax of length n runs. */
    public Algorithm resolve(int n) {
        return kernel(n).resolve(algorithm, n);
    }

    /** The split two-pass of one vector (row 0 of io); returns logsumexp. */
    private double split(Op op, int flags, Span io, long n) {
        return Split.vector(executor, threads(), op, scale, n, new Split.Vector() {
            @Override
            public void sumExp(long from, long len, double[] me) {
                io.sumExp(Dispatch.this, from, len, me);
            }

            @Override
            public void finish(long from, long len, double m, double e) {
                io.finish(Dispatch.this, op, from, len, m, e);
            }

            @Override
            public double whole() {
                double[] lse = new double[1];
                io.rows(Dispatch.this, op, flags | Op.FLAG_LSE, 0, 1, n, lse);
                return lse[0];
            }
        });
    }

    /** Runs body over all rows: split across threads when the batch is large enough, else in one call. */
    private void eachRows(int rows, long cols, Split.RowRange body) {
        if (splitRows(rows, cols)) {
            Split.rows(executor, threads(), rows, body);
        } else {
            body.run(0, rows);
        }
    }
}
