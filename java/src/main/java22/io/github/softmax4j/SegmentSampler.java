package io.github.softmax4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@link Sampler} over logits in a {@link MemorySegment} (JDK 22+): the same settings, semantics, tokens and
 * exceptions as the {@code float[]} calls of the sampler it wraps.
 *
 * <pre>{@code
 * SegmentSampler s = SegmentSampler.of(Sampler.of(Softmax.get()).withTemperature(0.7f).withTopK(40));
 * int token = s.sample(logitsSegment, rng);
 * }</pre>
 *
 * <p>A writable heap segment over a {@code float[]} (at a 4-byte boundary) is read in place; any other segment
 * (native, read-only, or over another array type) is first copied into a {@code float[]} of its size, which
 * for a vocabulary of 256K logits costs about as much as one pass over them. A segment holds at most
 * {@code Integer.MAX_VALUE - 8} floats here. Instances are immutable and thread-safe.
 *
 * <p>This class exists only in the multi-release jar's {@code META-INF/versions/22}.
 */
public final class SegmentSampler {
    private static final int MAX = Integer.MAX_VALUE - 8;

    private final Sampler sampler;

    private SegmentSampler(Sampler sampler) {
        this.sampler = sampler;
    }

    /**
     * The segment variant of a sampler.
     *
     * @param sampler its settings and backend
     * @return the segment sampler
     * @throws NullPointerException if sampler is null
     */
    public static SegmentSampler of(Sampler sampler) {
        return new SegmentSampler(Objects.requireNonNull(sampler, "sampler"));
    }

    /**
     * The sampler this one wraps.
     *
     * @return the sampler
     */
    public Sampler sampler() {
        return sampler;
    }

    /**
     * Draws the next token, as {@link Sampler#sample(float[], RandomGenerator)}.
     *
     * @param logits the logits, {@code byteSize()} a multiple of 4, at least one float; not modified
     * @param rng one {@code nextDouble()} is drawn (none when greedy)
     * @return the token, an index into the segment's floats
     * @throws IllegalArgumentException for a byte size that is not a multiple of 4 or above the limit, a NaN
     *         logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if the segment is empty
     * @throws IllegalStateException if the segment's scope is closed
     * @throws WrongThreadException if the segment is confined to another thread
     * @throws NullPointerException if an argument is null
     */
    public int sample(MemorySegment logits, RandomGenerator rng) {
        Objects.requireNonNull(rng, "rng");
        int n = floats(logits);
        float[] a = Segments.floatArray(logits);
        if (a != null) {
            return sampler.sample(a, (int) (logits.address() >>> 2), n, rng);
        }
        return sampler.sample(copy(logits, n), rng);
    }

    /**
     * The index of the largest logit, ties to the lowest index, as {@link Sampler#argmax(float[])}.
     *
     * @param logits the logits, {@code byteSize()} a multiple of 4, at least one float
     * @return the index
     * @throws IllegalArgumentException for a byte size that is not a multiple of 4 or above the limit, a NaN
     *         logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if the segment is empty
     * @throws IllegalStateException if the segment's scope is closed
     * @throws WrongThreadException if the segment is confined to another thread
     * @throws NullPointerException if logits is null
     */
    public int argmax(MemorySegment logits) {
        int n = floats(logits);
        float[] a = Segments.floatArray(logits);
        if (a != null) {
            return sampler.argmax(a, (int) (logits.address() >>> 2), n);
        }
        return sampler.argmax(copy(logits, n));
    }

    /**
     * The k most probable tokens with their probabilities, as
     * {@link Sampler#topK(float[], int, int[], float[])}.
     *
     * @param logits the logits, {@code byteSize()} a multiple of 4, at least one float; not modified
     * @param k how many, {@code >= 1}
     * @param indices receives the tokens (length {@code >= min(k, n)})
     * @param probs receives their probabilities (length {@code >= min(k, n)})
     * @return {@code min(k, n)} for n floats
     * @throws IllegalArgumentException if k is below 1, for a byte size that is not a multiple of 4 or above
     *         the limit, a NaN logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if the segment is empty or an output array is too short
     * @throws IllegalStateException if the segment's scope is closed
     * @throws WrongThreadException if the segment is confined to another thread
     * @throws NullPointerException if an argument is null
     */
    public int topK(MemorySegment logits, int k, int[] indices, float[] probs) {
        int n = floats(logits);
        float[] a = Segments.floatArray(logits);
        if (a != null) {
            return sampler.topK(a, (int) (logits.address() >>> 2), n, k, indices, probs);
        }
        return sampler.topK(copy(logits, n), k, indices, probs);
    }

    /**
     * {@code log p(token)}, as {@link Sampler#logProb(float[], int)}.
     *
     * @param logits the logits, {@code byteSize()} a multiple of 4, at least one float; not modified
     * @param token the token, an index into the segment's floats
     * @return its log-probability ({@code -Inf} for a -Inf logit)
     * @throws IllegalArgumentException for a byte size that is not a multiple of 4 or above the limit, a NaN
     *         logit (naming its index), or all logits -Inf
     * @throws IndexOutOfBoundsException if the segment is empty or token is not an index into it
     * @throws IllegalStateException if the segment's scope is closed
     * @throws WrongThreadException if the segment is confined to another thread
     * @throws NullPointerException if logits is null
     */
    public float logProb(MemorySegment logits, int token) {
        int n = floats(logits);
        float[] a = Segments.floatArray(logits);
        if (a != null) {
            return sampler.logProb(a, (int) (logits.address() >>> 2), n, token);
        }
        return sampler.logProb(copy(logits, n), token);
    }

    /**
     * One token per row of a {@code rows x cols} matrix of logits (dense, row-major), as
     * {@link Sampler#sampleRows(float[], int, RandomGenerator, int[])}: heap {@code float[]} segments are read
     * in place, other segments copied once (at most {@code Integer.MAX_VALUE - 8} floats in all).
     *
     * @param logits {@code tokens.length * cols} floats ({@code byteSize()} a multiple of 4); not modified
     * @param cols the vocabulary size, {@code >= 1}
     * @param rng draws one double per row, rows in order (none when greedy)
     * @param tokens receives one token per row (its length is the number of rows)
     * @throws IllegalArgumentException if the segment does not hold {@code tokens.length * cols} floats (or
     *         more than the limit), for a NaN logit, or a row of only -Inf
     * @throws IllegalStateException if the segment's scope is closed
     * @throws WrongThreadException if the segment is confined to another thread
     * @throws NullPointerException if an argument is null
     */
    public void sampleRows(MemorySegment logits, int cols, RandomGenerator rng, int[] tokens) {
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(tokens, "tokens");
        long n = Segments.count(logits, "logits");
        Segments.accessible(logits, "logits");
        if (cols < 1 || (long) tokens.length * cols != n) {
            throw new IllegalArgumentException("logits holds " + n + " floats, not tokens.length " + tokens.length
                    + " x cols " + cols);
        }
        if (n > MAX) {
            throw new IllegalArgumentException("logits holds " + n + " floats; at most " + MAX + " can be sampled");
        }
        float[] a = Segments.floatArray(logits);
        if (a != null) {
            sampler.sampleRows(a, (int) (logits.address() >>> 2), cols, rng, tokens);
        } else {
            sampler.sampleRows(copy(logits, (int) n), 0, cols, rng, tokens);
        }
    }

    private static int floats(MemorySegment s) {
        long n = Segments.count(s, "logits");
        Segments.accessible(s, "logits");
        if (n > MAX) {
            throw new IllegalArgumentException("logits holds " + n + " floats; at most " + MAX + " can be sampled");
        }
        if (n == 0) {
            throw new IndexOutOfBoundsException("no logits to sample from");
        }
        return (int) n;
    }

    private static float[] copy(MemorySegment s, int n) {
        float[] a = new float[n];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a, 0, n);
        return a;
    }
}
