package io.github.softmax4j;

import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

import io.github.softmax4j.internal.Dispatch;
import io.github.softmax4j.internal.Kernel;
import io.github.softmax4j.internal.NativeKernel;
import io.github.softmax4j.internal.KernelSelector;
import io.github.softmax4j.internal.Op;
import io.github.softmax4j.internal.Span;

/**
 * Softmax and its family over float vectors: softmax, log-softmax, log-sum-exp and cross-entropy, on one
 * vector or on a batch of rows, with an optional temperature, fully masked rows as zeros, and threads.
 * {@link DoubleSoftmax#of(Softmax)} gives the same family over {@code double[]} and {@link Sampler#of(Softmax)}
 * draws tokens from logits, both with this configuration.
 *
 * <pre>{@code
 * Softmax softmax = Softmax.get();                      // fastest backend here, Algorithm.AUTO
 * float[] probs = softmax.softmax(logits);              // or softmax(x, y), softmax(x, xOff, y, yOff, n)
 * float lse = softmax.logSumExp(logits);                // one pass over the data
 * float loss = softmax.crossEntropy(logits, label);     // lse - logits[label], one pass
 * softmax.withTemperature(0.7f).softmax(logits, probs); // softmax(logits / 0.7), fused: no extra pass
 * softmax.softmaxRows(scores, probs, seqLen);           // every row of a rows x seqLen matrix
 * }</pre>
 *
 * <h2>Backends</h2>
 * {@link #get()} uses the fastest backend this machine can run, chosen once per JVM by CPU probing (cpuid
 * and xgetbv): native AVX-512, native AVX2, the Vector API, portable C, scalar Java
 * ({@link Backend}). {@link #backend()} says which one runs. {@code -Dsoftmax4j.backend=SCALAR} forces a
 * backend, {@code -Dsoftmax4j.maxIsa=avx2} caps the native tier, {@code -Dsoftmax4j.tinyCalls=vector} has the
 * default instance send calls of at most 64 elements (all rows together) to the Vector API backend when it is
 * native (~40 ns less per call than JNI once C2 has compiled the Vector API kernels, but ~0.1-0.5 ms per call
 * before, over the first ~10,000 calls: the README's "Tiny calls"), {@code -Dsoftmax4j.arrayCalls=ffm} (JDK 22+)
 * sends the native tier's row calls of at most 16,384 elements through FFM critical downcalls instead of JNI
 * (cheaper per call where C2 inlines them; the README's "The cost of a call"). The Vector API backend needs
 * {@code --add-modules jdk.incubator.vector}; on JDK 22+ pass {@code --enable-native-access=ALL-UNNAMED} to
 * load the native library without a warning (on the module path:
 * {@code --enable-native-access=org.bytedeco.javacpp,io.github.softmax4j}).
 *
 * <h2>Options</h2>
 * Each {@code with...} method returns an instance with that option changed ({@code this} when it already has
 * it); all of them apply to every operation.
 * <ul>
 * <li>{@link #withScale(float)} / {@link #withTemperature(float)}: compute on {@code s * x} (s = 1/T),
 * fused into the kernels; the product is taken exactly, so results are those of the real numbers s*x.
 * <li>{@link #withSafe(boolean)}: a row whose every input is -Inf (a fully masked attention row) gives
 * zeros from softmax and -Inf from log-softmax, as PyTorch's {@code _safe_softmax}, instead of NaN.
 * <li>{@link #parallel()} / {@link #parallel(Executor)}: vectors of at least {@link #parallelThreshold()}
 * elements are split across threads (pass 1 on every part, an exact merge of the partial sums, pass 2 on
 * every part); batches of rows are split by rows. Smaller calls stay on the calling thread.
 * <li>{@link #with(Algorithm)}: the softmax algorithm (log-softmax, log-sum-exp and cross-entropy always
 * use the two-pass sum, and parallel calls the split two-pass; a parallel softmax with an explicit three-pass
 * algorithm splits batches of rows only, a single vector runs on the calling thread).
 * </ul>
 *
 * <h2>Values</h2>
 * As PyTorch and ONNX: any NaN gives all outputs NaN; any +Inf gives all NaN (log-sum-exp +Inf); -Inf
 * gives 0 (log-softmax -Inf) and the others are computed from the rest; all -Inf gives all NaN
 * (log-sum-exp -Inf; see {@link #withSafe(boolean)}); n = 0 does nothing (log-sum-exp of nothing is -Inf).
 * Huge finite inputs are exact ({@code [-Float.MAX_VALUE, Float.MAX_VALUE] -> [0, 1]},
 * {@code [1e30f, 0] -> [1, 0]}).
 *
 * <h2>Accuracy</h2>
 * Softmax: every output that is at least {@link Float#MIN_NORMAL} is within 4 ULP of the exact value
 * rounded to float for n up to 4096, and within 8 ULP for n up to 2^26; smaller outputs are within
 * {@code Float.MIN_NORMAL}. Log-sum-exp: within 2 ULP of the exact value, counted in ULPs of
 * {@code max(|lse|, 1)} (near 0 the error of the float exponentials, ~1e-7 absolute, dominates). Cross-entropy
 * ({@code lse - s*x[label]} in double, rounded once): within that of lse plus half an ULP of the loss itself
 * (a loss far above |lse|, as with large scales, is then correctly rounded or one ULP off).
 * Log-softmax: within {@code 2^-23 * (|s*x| + |lse|) + 2^-24} absolute. The result of a call does not
 * depend on the thread or on other calls (nor, on the Vector API backend, on whether its kernels are compiled
 * yet), except that a parallel call may differ from a sequential one within these bounds: a vector is split
 * into parts by length and by the number of available processors, so the same parallel call may also differ
 * between machines or JVMs with different processor counts (container quotas, {@code -XX:ActiveProcessorCount})
 * (and results may differ between backends and algorithms within the bounds).
 *
 * <h2>Arguments</h2>
 * Inputs are never modified, except by in-place calls ({@code x == y} at equal offsets and strides, or
 * buffers over the same memory at the same position), which are supported. Null arguments throw
 * {@link NullPointerException}; offsets, lengths and labels outside their arrays (including int overflow)
 * throw {@link IndexOutOfBoundsException}; mismatched lengths, a stride below the row length, partially
 * overlapping input and output and a scale that is not positive and finite throw
 * {@link IllegalArgumentException}; a read-only output buffer throws {@link ReadOnlyBufferException}. Bad
 * input never reaches native code. (Where the overlap of two buffers cannot be seen, a read-only heap view
 * or direct memory without the native library, the whole input is copied before any output is written,
 * on one thread: the result is that of disjoint buffers holding the same input.)
 *
 * <p>On JDK 22+ softmax, log-softmax, log-sum-exp and cross-entropy over one vector also take
 * {@code java.lang.foreign.MemorySegment}s (off-heap, more than 2^31 elements) through
 * {@code SegmentSoftmax.of(softmax)}, in the jar's {@code META-INF/versions/22}; rows of segments can be
 * reached as direct buffers ({@code MemorySegment.asByteBuffer().order(ByteOrder.nativeOrder())
 * .asFloatBuffer()}), which take the same native path.
 *
 * <p>Instances are immutable and thread-safe; share them freely.
 */
public final class Softmax {
    /**
     * Default {@link #parallelThreshold()}: 2^19 elements. Measured (JMH OpsBenchmark, NATIVE_AVX2, 2-core
     * Zen 3 VM, common pool): the split softmax took 44 us against 19 us on one thread at 32K, 158 against
     * 174 us at 256K (break-even), 687 against 833 us at 1M; twice the break-even leaves a margin for
     * machines whose pool threads wake more slowly. The README's results have the full table.
     */
    static final int DEFAULT_PARALLEL_THRESHOLD = 1 << 19;

    private final Dispatch dispatch;

    private Softmax(Dispatch dispatch) {
        this.dispatch = dispatch;
    }

    private Softmax(Kernel kernel, Kernel small) {
        this(Dispatch.of(kernel, small, DEFAULT_PARALLEL_THRESHOLD));
    }

    private Softmax with(Algorithm algorithm, float scale, boolean safe, Executor executor, int parallelThreshold) {
        return new Softmax(dispatch.with(algorithm, scale, safe, executor, parallelThreshold));
    }

    /** The default instance, or the configuration error that prevents it (rethrown on every call). */
    private static final class Default {
        static final Object INSTANCE = create();

        private static Object create() {
            try {
                KernelSelector.Selection s = KernelSelector.defaultSelection();
                return new Softmax(s.kernel, s.small);
            } catch (IllegalStateException e) {
                return e;
            }
        }
    }

    /**
     * The fastest backend on this machine, with {@link Algorithm#AUTO}, no scale, sequential.
     *
     * @return the shared default instance
     * @throws IllegalStateException on every call, with the reason, when the system properties are wrong:
     *         {@code -Dsoftmax4j.backend} names an unknown backend or one that cannot run here (for example
     *         VECTOR without {@code --add-modules jdk.incubator.vector}), or {@code -Dsoftmax4j.maxIsa} is not
     *         avx512, avx2, neon or portable, or {@code -Dsoftmax4j.tinyCalls} is not native or vector; with a
     *         bad backend name or tinyCalls value {@link #of(Backend)} keeps working for the
     *         backends that can run (a bad {@code maxIsa} makes it and {@link #available()} throw
     *         {@link IllegalArgumentException} too: the cap applies to every backend)
     */
    public static Softmax get() {
        Object d = Default.INSTANCE;
        if (d instanceof Softmax) {
            return (Softmax) d;
        }
        IllegalStateException e = (IllegalStateException) d;
        throw new IllegalStateException(e.getMessage(), e.getCause());
    }

    /**
     * The given backend, with {@link Algorithm#AUTO}.
     *
     * @param backend the backend to run
     * @return a new instance on that backend, otherwise configured as {@link #get()}
     * @throws UnsupportedOperationException with the reason, when that backend cannot run here
     * @throws IllegalArgumentException when {@code -Dsoftmax4j.maxIsa} is not avx512, avx2, neon or portable
     */
    public static Softmax of(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        return new Softmax(KernelSelector.kernel(backend, KernelSelector.Config.capFromSystemProperties()), null);
    }

    /**
     * Every backend that can run on this machine, fastest first by the selection order.
     *
     * @return the available backends, unmodifiable, fastest first; those above {@code -Dsoftmax4j.maxIsa} are
     *         left out
     * @throws IllegalArgumentException when {@code -Dsoftmax4j.maxIsa} is not avx512, avx2, neon or portable
     */
    public static Set<Backend> available() {
        EnumSet<Backend> set = EnumSet.noneOf(Backend.class);
        set.addAll(KernelSelector.available(KernelSelector.Config.capFromSystemProperties()));
        return Collections.unmodifiableSet(set);
    }

    // ---------------------------------------------------------------------------------------------
    // Configuration
    // ---------------------------------------------------------------------------------------------

    /**
     * The same configuration with another softmax algorithm.
     *
     * @param algorithm the softmax algorithm
     * @return an instance with that algorithm ({@code this} if it has it already)
     */
    public Softmax with(Algorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        return algorithm == algorithm() ? this
                : with(algorithm, scale(), isSafe(), dispatch.executor(), parallelThreshold());
    }

    /**
     * Every operation computes on {@code scale * x} (scale = 1/T for a temperature T), fused into the
     * kernels: no extra pass, no temporary array. The product is taken exactly.
     *
     * @param scale the factor s applied to every input (1/T for a temperature T), positive and finite
     * @return a new instance with that scale
     * @throws IllegalArgumentException unless scale is positive and finite
     */
    public Softmax withScale(float scale) {
        Checks.scale(scale);
        return with(algorithm(), scale, isSafe(), dispatch.executor(), parallelThreshold());
    }

    /**
     * {@code withScale(1f / temperature)}: softmax(x / T) as LLM sampling uses it. The scale is 1/T rounded
     * to float; use {@link #withScale(float)} to give it exactly.
     *
     * @param temperature T, positive; the scale becomes {@code 1f / temperature}
     * @return a new instance with that scale
     * @throws IllegalArgumentException unless 1/temperature is positive and finite
     */
    public Softmax withTemperature(float temperature) {
        return withScale(1f / temperature);
    }

    /**
     * With {@code true}, a row whose every input is -Inf gives zeros from softmax and -Inf from
     * log-softmax instead of NaN (PyTorch's {@code _safe_softmax}, for fully masked attention rows). The
     * default, {@code false}, is PyTorch's and ONNX's {@code softmax}.
     *
     * @param safe {@code true} for zeros and -Inf on fully masked rows, {@code false} for NaN
     * @return an instance with that setting ({@code this} if it has it already)
     */
    public Softmax withSafe(boolean safe) {
        return safe == isSafe() ? this : with(algorithm(), scale(), safe, dispatch.executor(), parallelThreshold());
    }

    /**
     * {@link #parallel(Executor)} on {@link ForkJoinPool#commonPool()}.
     *
     * @return a new parallel instance on the common pool
     */
    public Softmax parallel() {
        return parallel(ForkJoinPool.commonPool());
    }

    /**
     * Calls with at least {@link #parallelThreshold()} elements run on this executor and the calling
     * thread: a long vector is split into parts (as many as available processors; softmax only under AUTO or
     * TWO_PASS, whose two-pass the parts run), batches of rows by rows.
     *
     * @param executor runs the helper tasks; the calling thread works on the parts too
     * @return a new parallel instance on that executor
     */
    public Softmax parallel(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        return with(algorithm(), scale(), isSafe(), executor, parallelThreshold());
    }

    /**
     * The same configuration, with calls of at least {@code elements} elements split across threads.
     *
     * @param elements the threshold, {@code >= 1}, counting all rows of a call together; it applies only
     *        when {@link #isParallel()}
     * @return a new instance with that threshold
     * @throws IllegalArgumentException if elements is below 1
     */
    public Softmax withParallelThreshold(int elements) {
        if (elements < 1) {
            throw new IllegalArgumentException("parallel threshold must be >= 1, not " + elements);
        }
        return with(algorithm(), scale(), isSafe(), dispatch.executor(), elements);
    }

    /**
     * The same configuration on the calling thread only.
     *
     * @return a sequential instance ({@code this} if it is sequential already)
     */
    public Softmax sequential() {
        return !isParallel() ? this : with(algorithm(), scale(), isSafe(), null, parallelThreshold());
    }

    /**
     * The backend that computes this instance's operations.
     *
     * @return the backend; a native one also when {@link #get()} sends its tiny calls to
     *         {@link Backend#VECTOR} ({@code -Dsoftmax4j.tinyCalls=vector}, see Backends in the class
     *         documentation)
     */
    public Backend backend() {
        return dispatch.kernel().backend();
    }

    /**
     * The algorithm this instance was configured with (possibly {@link Algorithm#AUTO}).
     *
     * @return the configured algorithm, {@link Algorithm#AUTO} unless set by {@link #with(Algorithm)}
     */
    public Algorithm algorithm() {
        return dispatch.algorithm();
    }

    /**
     * The algorithm that actually runs for a sequential softmax of length n (what AUTO resolves to).
     *
     * @param n the length of the vector, {@code >= 0}
     * @return the concrete algorithm, never {@link Algorithm#AUTO}
     * @throws IllegalArgumentException if n is negative
     */
    public Algorithm algorithmFor(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0: " + n);
        }
        return dispatch.resolve(n);
    }

    /**
     * The scale applied to every input (1 unless set).
     *
     * @return s, 1 unless set by {@link #withScale(float)} or {@link #withTemperature(float)}
     */
    public float scale() {
        return dispatch.scale();
    }

    /**
     * Whether fully masked rows give zeros ({@link #withSafe(boolean)}).
     *
     * @return {@code true} if a row of all -Inf gives zeros and -Inf, {@code false} (the default) if NaN
     */
    public boolean isSafe() {
        return dispatch.safe();
    }

    /**
     * Whether calls may run on several threads ({@link #parallel(Executor)}).
     *
     * @return {@code true} after {@link #parallel(Executor)}, {@code false} by default and after
     *         {@link #sequential()}
     */
    public boolean isParallel() {
        return dispatch.executor() != null;
    }

    /**
     * The smallest call, in elements, that is split across threads when {@link #isParallel()}.
     *
     * @return the threshold, counting all rows of a call together (2^19 unless set)
     */
    public int parallelThreshold() {
        return dispatch.parallelThreshold();
    }

    // ---------------------------------------------------------------------------------------------
    // Softmax
    // ---------------------------------------------------------------------------------------------

    /**
     * Returns a new array with the softmax of x.
     *
     * @param x the input, not modified
     * @return a new array of {@code x.length} elements, {@code exp(s*x) / sum exp(s*x)}
     */
    public float[] softmax(float[] x) {
        return newOutput(Op.SOFTMAX, x);
    }

    /**
     * Softmax of all of x into y ({@code x == y} computes in place).
     *
     * @param x the input
     * @param y the output, of the same length (may be x)
     * @throws IllegalArgumentException if the lengths differ
     */
    public void softmax(float[] x, float[] y) {
        whole(Op.SOFTMAX, x, y);
    }

    /**
     * Softmax of {@code x[xOff, xOff+n)} into {@code y[yOff, yOff+n)}. The ranges must be identical (in
     * place) or disjoint.
     *
     * @param x the input; elements [xOff, xOff + n) are read
     * @param xOff the index of the first input element
     * @param y the output; elements [yOff, yOff + n) are written
     * @param yOff the index of the first output element
     * @param n the number of elements, {@code >= 0}
     * @throws IndexOutOfBoundsException if n or an offset is negative, or a range does not fit in its array
     * @throws IllegalArgumentException if x and y are one array and the ranges overlap at different offsets
     */
    public void softmax(float[] x, int xOff, float[] y, int yOff, int n) {
        rows(Op.SOFTMAX, x, xOff, n, y, yOff, n, 1, n);
    }

    /**
     * Softmax of x's remaining elements (position to limit) into y's remaining elements. Heap or direct
     * buffers, any byte order; positions and limits are left unchanged. {@code x} and {@code y} may be the
     * same memory at the same position (in place).
     *
     * @param x the input: its remaining elements
     * @param y the output: as many remaining elements as x, written from its position
     * @throws ReadOnlyBufferException if y is read-only
     * @throws IllegalArgumentException if the remaining lengths differ or the ranges partially overlap
     */
    public void softmax(FloatBuffer x, FloatBuffer y) {
        wholeBuffers(Op.SOFTMAX, x, y);
    }

    /**
     * Softmax of each row of a matrix: row r reads {@code x[xOff + r*xStride, +cols)} and writes
     * {@code y[yOff + r*yStride, +cols)}. Strides of at least cols; the same array, offset and stride for in
     * place; in one array, x's and y's rows may also interleave without sharing an element (equal strides, for
     * example the logits in the first half of each row and the probabilities in the second). Rows of any length
     * are one call (one JNI call for the native backends).
     *
     * @param x the input, row r at {@code xOff + r*xStride}
     * @param xOff the index of row 0 in x
     * @param xStride the distance between the starts of consecutive rows of x, {@code >= cols} when rows > 1
     * @param y the output, row r at {@code yOff + r*yStride}
     * @param yOff the index of row 0 in y
     * @param yStride the distance between the starts of consecutive rows of y, {@code >= cols} when rows > 1
     * @param rows the number of rows, {@code >= 0}
     * @param cols the length of each row, {@code >= 0}
     * @throws IndexOutOfBoundsException if rows, cols or an offset is negative, or the rows do not fit in their
     *         array
     * @throws IllegalArgumentException if a stride is below cols (with more than one row), or a row of x and a
     *         row of y share an element without being the same rows (equal offsets and strides)
     */
    public void softmaxRows(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int rows,
            int cols) {
        rows(Op.SOFTMAX, x, xOff, xStride, y, yOff, yStride, rows, cols);
    }

    /**
     * Softmax of each row of a dense {@code (x.length / cols) x cols} matrix.
     *
     * @param x the input, rows of cols elements one after another
     * @param y the output, of the same length (may be x)
     * @param cols the length of each row, {@code > 0}
     * @throws IllegalArgumentException if cols is not positive, x.length is not a multiple of cols, or the
     *         lengths differ
     */
    public void softmaxRows(float[] x, float[] y, int cols) {
        denseRows(Op.SOFTMAX, x, y, cols);
    }

    /**
     * Softmax of each row between buffers, indexes relative to each buffer's position: row r reads
     * {@code x[position + r*xStride, +cols)}. Positions and limits are left unchanged.
     *
     * @param x the input, row r at {@code position + r*xStride}
     * @param xStride the distance between the starts of consecutive rows of x, {@code >= cols} when rows > 1
     * @param y the output, row r at {@code position + r*yStride}
     * @param yStride the distance between the starts of consecutive rows of y, {@code >= cols} when rows > 1
     * @param rows the number of rows, {@code >= 0}
     * @param cols the length of each row, {@code >= 0}
     * @throws ReadOnlyBufferException if y is read-only
     * @throws IndexOutOfBoundsException if rows or cols is negative, or the rows do not fit in a buffer's
     *         remaining elements
     * @throws IllegalArgumentException if a stride is below cols (with more than one row), or a row of x and a
     *         row of y share an element without being the same rows (same position and stride)
     */
    public void softmaxRows(FloatBuffer x, int xStride, FloatBuffer y, int yStride, int rows, int cols) {
        rowsBuffers(Op.SOFTMAX, x, xStride, y, yStride, rows, cols, Dispatch.NO_LSE);
    }

    // ---------------------------------------------------------------------------------------------
    // Softmax with its argmax (greedy decoding that also wants the probabilities)
    // ---------------------------------------------------------------------------------------------

    /**
     * Softmax of all of x into y, and the index of the largest probability (the first one in a tie) — what
     * {@code softmax(x, y)} and then an argmax over y give, without the second pass over memory: the native
     * backends find the index while each part of y is still in cache. Two logits a few ULP apart can round to
     * the same probability; the lower index wins then, as for any tie.
     *
     * @param x the input
     * @param y the output, of the same length (may be x)
     * @return the index of the first largest {@code y[i]}; -1 when x is empty or the probabilities are NaN (a
     *         NaN or +Inf input; every input -Inf without {@link #withSafe safe})
     * @throws IllegalArgumentException if the lengths differ
     */
    public int softmaxArgmax(float[] x, float[] y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Checks.sameLength(x.length, y.length);
        return softmaxArgmax(x, 0, y, 0, x.length);
    }

    /**
     * {@link #softmaxArgmax(float[], float[])} of {@code x[xOff, xOff+n)} into {@code y[yOff, yOff+n)}; the
     * ranges must be identical (in place) or disjoint.
     *
     * @param x the input; elements [xOff, xOff + n) are read
     * @param xOff the index of the first input element
     * @param y the output; elements [yOff, yOff + n) are written
     * @param yOff the index of the first output element
     * @param n the number of elements, {@code >= 0}
     * @return the index, relative to yOff, of the first largest output; -1 as above
     * @throws IndexOutOfBoundsException if n or an offset is negative, or a range does not fit in its array
     * @throws IllegalArgumentException if x and y are one array and the ranges overlap at different offsets
     */
    public int softmaxArgmax(float[] x, int xOff, float[] y, int yOff, int n) {
        int[] index = {-1};
        argmaxRows(x, xOff, n, y, yOff, n, 1, n, index);
        return index[0];
    }

    /**
     * {@link #softmaxArgmax(float[], float[])} of each row of a dense {@code (x.length / cols) x cols} matrix
     * (a batch of sequences decoded greedily): {@code argmax[r]} receives row r's index (relative to the row).
     *
     * @param x the input, rows of cols elements one after another
     * @param y the output, of the same length (may be x)
     * @param cols the length of each row, {@code > 0}
     * @param argmax receives one index per row (or -1 as above); length {@code >= x.length / cols}
     * @throws IllegalArgumentException if cols is not positive, x.length is not a multiple of cols, the lengths
     *         of x and y differ, or argmax is too short
     */
    public void softmaxArgmaxRows(float[] x, float[] y, int cols, int[] argmax) {
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(argmax, "argmax");
        int rows = denseRowCount("x", x, cols);
        Checks.sameLength(x.length, y.length);
        if (argmax.length < rows) {
            throw new IllegalArgumentException("argmax.length " + argmax.length + " < rows " + rows);
        }
        argmaxRows(x, 0, cols, y, 0, cols, rows, cols, argmax);
    }

    // ---------------------------------------------------------------------------------------------
    // Log-softmax
    // ---------------------------------------------------------------------------------------------

    /**
     * Returns a new array with the log-softmax of x: {@code s*x - logSumExp(x)}.
     *
     * @param x the input, not modified
     * @return a new array of {@code x.length} elements
     */
    public float[] logSoftmax(float[] x) {
        return newOutput(Op.LOG_SOFTMAX, x);
    }

    /**
     * Log-softmax of all of x into y: {@code y = s*x - logSumExp(x)}, two passes (never log(softmax),
     * which gives -Inf and NaN where the true value is finite). {@code x == y} computes in place.
     *
     * @param x the input
     * @param y the output, of the same length (may be x)
     * @throws IllegalArgumentException if the lengths differ
     */
    public void logSoftmax(float[] x, float[] y) {
        whole(Op.LOG_SOFTMAX, x, y);
    }

    /**
     * Log-softmax of {@code x[xOff, xOff+n)} into {@code y[yOff, yOff+n)} (identical or disjoint ranges).
     *
     * @param x the input; elements [xOff, xOff + n) are read
     * @param xOff the index of the first input element
     * @param y the output; elements [yOff, yOff + n) are written
     * @param yOff the index of the first output element
     * @param n the number of elements, {@code >= 0}
     * @throws IndexOutOfBoundsException if n or an offset is negative, or a range does not fit in its array
     * @throws IllegalArgumentException if x and y are one array and the ranges overlap at different offsets
     */
    public void logSoftmax(float[] x, int xOff, float[] y, int yOff, int n) {
        rows(Op.LOG_SOFTMAX, x, xOff, n, y, yOff, n, 1, n);
    }

    /**
     * Log-softmax between buffers, as {@link #softmax(FloatBuffer, FloatBuffer)}.
     *
     * @param x the input: its remaining elements
     * @param y the output: as many remaining elements as x, written from its position
     * @throws ReadOnlyBufferException if y is read-only
     * @throws IllegalArgumentException if the remaining lengths differ or the ranges partially overlap
     */
    public void logSoftmax(FloatBuffer x, FloatBuffer y) {
        wholeBuffers(Op.LOG_SOFTMAX, x, y);
    }

    /**
     * Log-softmax of each row, as {@link #softmaxRows(float[], int, int, float[], int, int, int, int)}.
     *
     * @param x the input, row r at {@code xOff + r*xStride}
     * @param xOff the index of row 0 in x
     * @param xStride the distance between the starts of consecutive rows of x, {@code >= cols} when rows > 1
     * @param y the output, row r at {@code yOff + r*yStride}
     * @param yOff the index of row 0 in y
     * @param yStride the distance between the starts of consecutive rows of y, {@code >= cols} when rows > 1
     * @param rows the number of rows, {@code >= 0}
     * @param cols the length of each row, {@code >= 0}
     * @throws IndexOutOfBoundsException if rows, cols or an offset is negative, or the rows do not fit in their
     *         array
     * @throws IllegalArgumentException if a stride is below cols (with more than one row), or a row of x and a
     *         row of y share an element without being the same rows (equal offsets and strides)
     */
    public void logSoftmaxRows(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int rows,
            int cols) {
        rows(Op.LOG_SOFTMAX, x, xOff, xStride, y, yOff, yStride, rows, cols);
    }

    /**
     * Log-softmax of each row of a dense {@code (x.length / cols) x cols} matrix.
     *
     * @param x the input, rows of cols elements one after another
     * @param y the output, of the same length (may be x)
     * @param cols the length of each row, {@code > 0}
     * @throws IllegalArgumentException if cols is not positive, x.length is not a multiple of cols, or the
     *         lengths differ
     */
    public void logSoftmaxRows(float[] x, float[] y, int cols) {
        denseRows(Op.LOG_SOFTMAX, x, y, cols);
    }

    /**
     * Log-softmax of each row between buffers, as
     * {@link #softmaxRows(FloatBuffer, int, FloatBuffer, int, int, int)}.
     *
     * @param x the input, row r at {@code position + r*xStride}
     * @param xStride the distance between the starts of consecutive rows of x, {@code >= cols} when rows > 1
     * @param y the output, row r at {@code position + r*yStride}
     * @param yStride the distance between the starts of consecutive rows of y, {@code >= cols} when rows > 1
     * @param rows the number of rows, {@code >= 0}
     * @param cols the length of each row, {@code >= 0}
     * @throws ReadOnlyBufferException if y is read-only
     * @throws IndexOutOfBoundsException if rows or cols is negative, or the rows do not fit in a buffer's
     *         remaining elements
     * @throws IllegalArgumentException if a stride is below cols (with more than one row), or a row of x and a
     *         row of y share an element without being the same rows (same position and stride)
     */
    public void logSoftmaxRows(FloatBuffer x, int xStride, FloatBuffer y, int yStride, int rows, int cols) {
        rowsBuffers(Op.LOG_SOFTMAX, x, xStride, y, yStride, rows, cols, Dispatch.NO_LSE);
    }

    // ---------------------------------------------------------------------------------------------
    // Log-sum-exp and cross-entropy
    // ---------------------------------------------------------------------------------------------

    /**
     * {@code log(sum exp(s*x))} in one pass over x (no max pass, nothing overflows). NaN if any input is
     * NaN, +Inf if any is +Inf, -Inf if all are -Inf or x is empty.
     *
     * @param x the input, not modified
     * @return {@code log(sum exp(s*x))}, rounded to float
     */
    public float logSumExp(float[] x) {
        Objects.requireNonNull(x, "x");
        return logSumExp(x, 0, x.length);
    }

    /**
     * Log-sum-exp of {@code x[off, off+n)}.
     *
     * @param x the input; elements [off, off + n) are read
     * @param off the index of the first element
     * @param n the number of elements, {@code >= 0}
     * @return {@code log(sum exp(s*x))} over the range, rounded to float; -Inf for n = 0
     * @throws IndexOutOfBoundsException if off or n is negative, or the range does not fit in x
     */
    public float logSumExp(float[] x, int off, int n) {
        return (float) lse(x, off, n);
    }

    /**
     * Log-sum-exp of the buffer's remaining elements (heap or direct; position unchanged).
     *
     * @param x the input: its remaining elements
     * @return {@code log(sum exp(s*x))} over them, rounded to float; -Inf if none remain
     */
    public float logSumExp(FloatBuffer x) {
        Objects.requireNonNull(x, "x");
        double[] lse = new double[1];
        rowsBuffers(Op.LOG_SUM_EXP, x, x.remaining(), x, x.remaining(), 1, x.remaining(), lse);
        return (float) lse[0];
    }

    /**
     * Log-sum-exp of each row into {@code out[outOff + r]}: row r is {@code x[xOff + r*xStride, +cols)}.
     *
     * @param x the input, row r at {@code xOff + r*xStride}
     * @param xOff the index of row 0 in x
     * @param xStride the distance between the starts of consecutive rows, {@code >= cols} when rows > 1
     * @param rows the number of rows, {@code >= 0}
     * @param cols the length of each row, {@code >= 0} (an empty row gives -Inf)
     * @param out the output; elements [outOff, outOff + rows) are written
     * @param outOff the index in out of row 0's result
     * @throws IndexOutOfBoundsException if rows, cols or an offset is negative, or the rows or the results do
     *         not fit in their array
     * @throws IllegalArgumentException if xStride is below cols (with more than one row)
     */
    public void logSumExpRows(float[] x, int xOff, int xStride, int rows, int cols, float[] out, int outOff) {
        Objects.requireNonNull(out, "out");
        Objects.checkFromIndexSize(outOff, Math.max(rows, 0), out.length);
        double[] lse = lseRows(x, xOff, xStride, rows, cols);
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = (float) lse[r];
        }
    }

    /**
     * Log-sum-exp of each row of a dense {@code (x.length / cols) x cols} matrix.
     *
     * @param x the input, rows of cols elements one after another
     * @param cols the length of each row, {@code > 0}
     * @return a new array with the log-sum-exp of each of the {@code x.length / cols} rows
     * @throws IllegalArgumentException if cols is not positive or x.length is not a multiple of cols
     */
    public float[] logSumExpRows(float[] x, int cols) {
        int rows = denseRowCount("x", x, cols);
        float[] out = new float[rows];
        logSumExpRows(x, 0, cols, rows, cols, out, 0);
        return out;
    }

    /**
     * Cross-entropy of one example: {@code logSumExp(logits) - s*logits[label]}, in one pass over the
     * logits, rounded once from double. +Inf when the label's logit is -Inf.
     *
     * @param logits the unnormalised log-probabilities of the classes, not modified
     * @param label the index of the true class
     * @return the loss, {@code -log} of the label's softmax probability
     * @throws IndexOutOfBoundsException if label is not in [0, logits.length)
     */
    public float crossEntropy(float[] logits, int label) {
        Objects.requireNonNull(logits, "logits");
        return crossEntropy(logits, 0, logits.length, label);
    }

    /**
     * Cross-entropy of {@code logits[off, off+n)} with {@code label} in [0, n).
     *
     * @param logits the logits; elements [off, off + n) are read
     * @param off the index of class 0
     * @param n the number of classes
     * @param label the true class, relative to off
     * @return the loss, {@code logSumExp - s*logits[off + label]}
     * @throws IndexOutOfBoundsException if off or n is negative, the range does not fit in logits, or label is
     *         not in [0, n)
     */
    public float crossEntropy(float[] logits, int off, int n, int label) {
        Objects.requireNonNull(logits, "logits");
        Objects.checkFromIndexSize(off, n, logits.length);
        Checks.label(label, n);
        return (float) (lse(logits, off, n) - (double) logits[off + label] * scale());
    }

    /**
     * Cross-entropy of a batch: row r ({@code logits[off + r*stride, +cols)}) has label
     * {@code labels[labelsOff + r]}; the per-row losses go to {@code losses[lossesOff + r]} unless losses is
     * null. Returns the mean loss (NaN for no rows), as PyTorch's {@code cross_entropy(reduction='mean')}.
     *
     * @param logits the logits, row r at {@code off + r*stride}
     * @param off the index of row 0 in logits
     * @param stride the distance between the starts of consecutive rows, {@code >= cols} when rows > 1
     * @param rows the number of examples, {@code >= 0}
     * @param cols the number of classes
     * @param labels the true classes; elements [labelsOff, labelsOff + rows) are read
     * @param labelsOff the index of row 0's label
     * @param losses receives the loss of each row at [lossesOff, lossesOff + rows), or {@code null}
     * @param lossesOff the index of row 0's loss (ignored when losses is null)
     * @return the mean loss over the rows, NaN for no rows
     * @throws IndexOutOfBoundsException if a label is not in [0, cols), or rows, cols or an offset is negative,
     *         or a range does not fit in its array
     * @throws IllegalArgumentException if stride is below cols (with more than one row)
     */
    public float crossEntropyRows(float[] logits, int off, int stride, int rows, int cols, int[] labels,
            int labelsOff, float[] losses, int lossesOff) {
        Objects.requireNonNull(labels, "labels");
        Objects.checkFromIndexSize(labelsOff, Math.max(rows, 0), labels.length);
        if (losses != null) {
            Objects.checkFromIndexSize(lossesOff, Math.max(rows, 0), losses.length);
        }
        Objects.requireNonNull(logits, "logits");
        Checks.span("logits", logits.length, off, stride, rows, cols);
        for (int r = 0; r < rows; r++) {
            Checks.label(labels[labelsOff + r], cols);
        }
        double[] loss = lseRows(logits, off, stride, rows, cols); // a new array: lse, then the losses in place
        double total = 0;
        for (int r = 0; r < rows; r++) { // every label logit read before any loss is written (losses may be logits)
            loss[r] -= (double) logits[off + r * stride + labels[labelsOff + r]] * scale();
            total += loss[r];
        }
        for (int r = 0; losses != null && r < rows; r++) {
            losses[lossesOff + r] = (float) loss[r];
        }
        return (float) (total / rows);
    }

    /**
     * Mean cross-entropy of a dense {@code labels.length x cols} matrix of logits.
     *
     * @param logits the logits, rows of cols elements one after another
     * @param cols the number of classes, {@code > 0}
     * @param labels the true class of each row, in [0, cols)
     * @return the mean loss over the rows, NaN for no rows
     * @throws IllegalArgumentException if cols is not positive or logits.length is not
     *         {@code labels.length * cols}
     * @throws IndexOutOfBoundsException if a label is not in [0, cols)
     */
    public float crossEntropyRows(float[] logits, int cols, int[] labels) {
        Objects.requireNonNull(labels, "labels");
        int rows = denseRowCount("logits", logits, cols);
        if (rows != labels.length) {
            throw new IllegalArgumentException(rows + " rows of logits but " + labels.length + " labels");
        }
        return crossEntropyRows(logits, 0, cols, rows, cols, labels, 0, null, 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Shared plumbing: checks, then one kernel call (or the parallel split)
    // ---------------------------------------------------------------------------------------------

    /** The dispatcher (for {@link Sampler} and the JDK 22+ MemorySegment fronts in the same package). */
    Dispatch dispatch() {
        return dispatch;
    }

    private float[] newOutput(Op op, float[] x) {
        Objects.requireNonNull(x, "x");
        float[] y = new float[x.length];
        rows(op, x, 0, x.length, y, 0, x.length, 1, x.length);
        return y;
    }

    private void whole(Op op, float[] x, float[] y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Checks.sameLength(x.length, y.length);
        rows(op, x, 0, x.length, y, 0, x.length, 1, x.length);
    }

    private void denseRows(Op op, float[] x, float[] y, int cols) {
        Objects.requireNonNull(y, "y");
        int rows = denseRowCount("x", x, cols);
        Checks.sameLength(x.length, y.length);
        rows(op, x, 0, cols, y, 0, cols, rows, cols);
    }

    private static int denseRowCount(String name, float[] x, int cols) {
        return Checks.denseRows(name, Objects.requireNonNull(x, name).length, cols);
    }

    /** softmax / log-softmax over rows of arrays. */
    private void rows(Op op, float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int rows, int cols) {
        if (checkRows(x, xOff, xStride, y, yOff, yStride, rows, cols)) {
            dispatch.run(op, Span.arrays(x, xOff, xStride, y, yOff, yStride), rows, cols);
        }
    }

    /** Softmax with each row's argmax into index[0, rows), over rows of arrays. */
    private void argmaxRows(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int rows, int cols,
            int[] index) {
        if (!checkRows(x, xOff, xStride, y, yOff, yStride, rows, cols)) {
            Arrays.fill(index, 0, rows, -1);
            return;
        }
        dispatch.softmaxArgmax(x, xOff, xStride, y, yOff, yStride, rows, cols, index);
    }

    /** The checks of rows between arrays; false when there is nothing to compute (no row or no column). */
    private static boolean checkRows(float[] x, int xOff, int xStride, float[] y, int yOff, int yStride, int rows,
            int cols) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        return Checks.rows(x, x.length, xOff, xStride, y, y.length, yOff, yStride, rows, cols);
    }

    /** Log-sum-exp of one range, in double (also for the JDK 22+ MemorySegment front). */
    double lse(float[] x, int off, int n) {
        Objects.requireNonNull(x, "x");
        Objects.checkFromIndexSize(off, n, x.length);
        return n == 0 ? Double.NEGATIVE_INFINITY : dispatch.lse(x, off, n);
    }

    /** Log-sum-exp of each row, in double (also for {@link Sampler}). */
    double[] lseRows(float[] x, int xOff, int xStride, int rows, int cols) {
        Objects.requireNonNull(x, "x");
        Checks.span("x", x.length, xOff, xStride, rows, cols);
        double[] lse = new double[Math.max(rows, 0)];
        if (cols == 0) {
            Arrays.fill(lse, Double.NEGATIVE_INFINITY);
        } else if (rows > 0) {
            dispatch.run(Op.LOG_SUM_EXP, Span.arrays(x, xOff, xStride, x, xOff, xStride), rows, cols, lse);
        }
        return lse;
    }

    private void wholeBuffers(Op op, FloatBuffer x, FloatBuffer y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (y.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int n = x.remaining();
        if (n != y.remaining()) {
            throw new IllegalArgumentException("x.remaining() " + n + " != y.remaining() " + y.remaining());
        }
        rowsBuffers(op, x, n, y, n, 1, n, Dispatch.NO_LSE);
    }

    /**
     * Any op over rows between buffers (indexes relative to the positions). Heap buffers run on their
     * arrays, direct buffers in place; a mix (or a read-only heap input, which hides its array) goes
     * through a heap copy of the input span.
     */
    private void rowsBuffers(Op op, FloatBuffer x, int xStride, FloatBuffer y, int yStride, int rows, int cols,
            double[] lse) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        boolean writes = op != Op.LOG_SUM_EXP;
        long xa = NativeKernel.address(x); // once per call: before JDK 22 a JNI call each
        long ya = y == x ? xa : NativeKernel.address(y);
        if (!Checks.rows(x, xa, xStride, y, ya, yStride, rows, cols, writes)) {
            if (!writes && rows > 0) {
                lse[0] = Double.NEGATIVE_INFINITY;
            }
        } else if (writes) {
            dispatch.run(op, Span.buffers(dispatch, x, xa, x.position(), xStride, y, ya, y.position(), yStride, rows,
                    cols), rows, cols, lse);
        } else {
            dispatch.run(op, Span.buffers(dispatch, x, xa, x.position(), xStride, x, xa, x.position(), xStride, rows,
                    cols), rows, cols, lse);
        }
    }

    @Override
    public String toString() {
        return "Softmax[" + backend() + ", " + algorithm() + (scale() != 1f ? ", scale " + scale() : "")
                + (isSafe() ? ", safe" : "") + (isParallel() ? ", parallel >= " + parallelThreshold() : "") + "]";
    }
}
