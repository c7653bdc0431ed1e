package io.github.softmax4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.util.Objects;

import io.github.softmax4j.internal.Dispatch;
import io.github.softmax4j.internal.Op;

/**
 * The softmax family over {@link MemorySegment}s (JDK 22+): off-heap vectors, of any length up to
 * {@code Long.MAX_VALUE / 4} elements (more than 2^31 too), with the configuration of a {@link Softmax}.
 *
 * <pre>{@code
 * SegmentSoftmax seg = SegmentSoftmax.of(Softmax.get().withTemperature(0.7f).parallel());
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment logits = arena.allocate(ValueLayout.JAVA_FLOAT, n);
 *     ...
 *     seg.softmax(logits, logits);           // in place
 *     float lse = seg.logSumExp(logits);
 * }
 * }</pre>
 *
 * <p>This class exists only in the multi-release jar's {@code META-INF/versions/22}; on Java 17 to 21 the
 * library is the plain {@link Softmax} API.
 *
 * <h2>Configuration</h2>
 * Everything the wrapped {@link Softmax} is configured with applies: its backend, algorithm, scale
 * (temperature), safe flag and parallel executor and threshold. A segment holds
 * {@code byteSize() / 4} floats in native byte order ({@link ValueLayout#JAVA_FLOAT}).
 *
 * <h2>How calls run</h2>
 * <ul>
 * <li>Native backends and native segments whose address is a multiple of 4: the C kernels read and write
 * the segment in place, no copy, with the full 64-bit length (the configured algorithm applies). This is
 * the fast path; allocate with {@code arena.allocate(ValueLayout.JAVA_FLOAT, n)} (4-byte aligned) to get it.
 * <li>Heap segments over a {@code float[]} (not read-only) at a 4-byte boundary run the {@link Softmax}
 * float[] API on that array, in place: the results are those of that API, bit for bit.
 * <li>Everything else (Java backends, misaligned native segments, heap segments over other array types,
 * read-only inputs, a mix of heap and native): copies of at most 2^20 elements. Up to 2^20 elements the
 * whole vector is copied once and computed by the float[] API (same results as that API); longer vectors
 * run the two-pass algorithm chunk by chunk (whatever the configured algorithm, as parallel calls do),
 * with the exact double-precision path, also chunked, when the fast range is exceeded.
 * </ul>
 *
 * <h2>Values and accuracy</h2>
 * As {@link Softmax}: any NaN gives all outputs NaN; any +Inf gives all NaN (log-sum-exp +Inf); -Inf
 * gives 0 (log-softmax -Inf); all -Inf gives all NaN (log-sum-exp -Inf), or zeros and -Inf with
 * {@link Softmax#withSafe(boolean)}; n = 0 does nothing (log-sum-exp -Inf). Huge finite inputs are exact.
 * The bounds are those of {@link Softmax}: softmax outputs at least {@link Float#MIN_NORMAL} within 4 ULP
 * of the exact value for n up to 4096 and 8 ULP up to 2^26 (beyond 2^26 the bound is not established;
 * measured at 2^31 + 5 elements by the tests); log-sum-exp within 2 ULP of {@code max(|lse|, 1)}, cross-entropy
 * within that plus half an ULP of the loss; log-softmax within {@code 2^-23 * (|s*x| + |lse|) + 2^-24}. Results do not depend
 * on the thread; the chunked and parallel paths may differ from a single float[] call within the bounds.
 *
 * <h2>Arguments</h2>
 * The input is never modified, except by an in-place call: x and y over the same memory (same address,
 * or the same array at the same offset), which is supported. Checked before any computation, in this
 * order: a null segment throws {@link NullPointerException}; a byte size that is not a multiple of 4, and
 * x and y of different sizes, throw {@link IllegalArgumentException}; a read-only output throws
 * {@link IllegalArgumentException}, as {@link MemorySegment}'s own writes do; a segment whose scope is
 * closed throws {@link IllegalStateException}, one the calling thread may not access
 * {@link WrongThreadException}; x and y that partially overlap throw {@link IllegalArgumentException}; a
 * label outside {@code [0, n)} throws {@link IndexOutOfBoundsException}. Bad input never reaches native
 * code. The address of a native segment need not be aligned (misaligned ones take the copying path).
 *
 * <h2>Threads and lifetime</h2>
 * Instances are immutable and thread-safe. The native path calls C through the FFM API, which keeps a
 * segment's scope alive for the call: closing a shared arena from another thread while a call uses its
 * segments fails in that thread with {@link IllegalStateException} (and the call completes), so a call
 * either completes or throws, and memory outside y is never touched. A parallel instance splits a
 * vector across threads only when both segments are accessible from any thread (shared, global and
 * automatic scopes, heap segments); a confined segment is computed on its owner thread. The copying path
 * reads and writes through {@link MemorySegment}'s own accessors, which check the scope on every access.
 */
public final class SegmentSoftmax {
    private final Softmax softmax;

    private SegmentSoftmax(Softmax softmax) {
        this.softmax = softmax;
    }

    /**
     * Segment operations with every setting of {@code softmax} (backend, algorithm, scale, safe, threads).
     *
     * @param softmax the configuration to apply
     * @return the segment operations of that configuration
     */
    public static SegmentSoftmax of(Softmax softmax) {
        return new SegmentSoftmax(Objects.requireNonNull(softmax, "softmax"));
    }

    /**
     * The wrapped configuration.
     *
     * @return the {@link Softmax} given to {@link #of(Softmax)}
     */
    public Softmax softmax() {
        return softmax;
    }

    /**
     * Softmax of the {@code x.byteSize() / 4} floats of x into y, {@code y = exp(s*x) / sum exp(s*x)};
     * x and y the same memory computes in place.
     *
     * @param x the input, {@code byteSize()} a multiple of 4
     * @param y the output, of the same size (may be the same memory as x)
     * @throws IllegalArgumentException if a size is not a multiple of 4, the sizes differ, y is read-only,
     *         or x and y partially overlap
     * @throws IllegalStateException if the scope of a segment is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void softmax(MemorySegment x, MemorySegment y) {
        apply(Op.SOFTMAX, x, y);
    }

    /**
     * Log-softmax of x into y: {@code y = s*x - logSumExp(x)}, two passes (never log(softmax)); same
     * arguments as {@link #softmax(MemorySegment, MemorySegment)}.
     *
     * @param x the input, {@code byteSize()} a multiple of 4
     * @param y the output, of the same size (may be the same memory as x)
     * @throws IllegalArgumentException if a size is not a multiple of 4, the sizes differ, y is read-only,
     *         or x and y partially overlap
     * @throws IllegalStateException if the scope of a segment is closed
     * @throws WrongThreadException if a segment is confined to another thread
     */
    public void logSoftmax(MemorySegment x, MemorySegment y) {
        apply(Op.LOG_SOFTMAX, x, y);
    }

    /**
     * {@code log(sum exp(s*x))} over the floats of x, one pass, no max pass. NaN if any input is NaN,
     * +Inf if any is +Inf, -Inf if all are -Inf or x is empty.
     *
     * @param x the input, {@code byteSize()} a multiple of 4; not modified
     * @return {@code log(sum exp(s*x))}, rounded to float
     * @throws IllegalArgumentException if the size is not a multiple of 4
     * @throws IllegalStateException if the scope of x is closed
     * @throws WrongThreadException if x is confined to another thread
     */
    public float logSumExp(MemorySegment x) {
        return (float) lse(x, Segments.count(x, "x"));
    }

    /**
     * Cross-entropy of one example: {@code logSumExp(logits) - s*logits[label]}, rounded once from double.
     * +Inf when the label's logit is -Inf.
     *
     * @param logits the logits, {@code byteSize()} a multiple of 4; not modified
     * @param label the index of the true class among the floats of logits
     * @return the loss, {@code -log} of the label's softmax probability
     * @throws IllegalArgumentException if the size is not a multiple of 4
     * @throws IndexOutOfBoundsException if label is not in [0, logits.byteSize() / 4)
     * @throws IllegalStateException if the scope of logits is closed
     * @throws WrongThreadException if logits is confined to another thread
     */
    public float crossEntropy(MemorySegment logits, long label) {
        long n = Segments.count(logits, "logits");
        Segments.accessible(logits, "logits"); // a closed scope before a label out of range, as the class says
        Objects.checkIndex(label, n);
        double lse = lse(logits, n);
        return (float) (lse - (double) logits.getAtIndex(Segments.FLOAT, label) * softmax.scale());
    }

    // ---------------------------------------------------------------------------------------------

    private void apply(Op op, MemorySegment x, MemorySegment y) {
        long n = Segments.pair(x, y);
        if (n == 0) {
            return;
        }
        try {
            run(op, x, y, n);
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
        }
    }

    private double lse(MemorySegment x, long n) {
        Segments.accessible(x, "x");
        if (n == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        try {
            return run(Op.LOG_SUM_EXP, x, x, n);
        } finally {
            Reference.reachabilityFence(x);
        }
    }

    /** op on checked, non-empty segments; returns logsumexp for LOG_SUM_EXP (else NaN). */
    private double run(Op op, MemorySegment x, MemorySegment y, long n) {
        Dispatch d = softmax.dispatch();
        return d.run(op, Segments.span(d, x, y, n), 1, n, new double[1]);
    }

    @Override
    public String toString() {
        return "SegmentSoftmax[" + softmax + "]";
    }
}
