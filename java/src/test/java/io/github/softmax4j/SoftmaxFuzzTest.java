package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import java.util.random.RandomGenerator;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.driver.FuzzedDataProviderImpl;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.github.softmax4j.internal.F64Test;

/**
 * Differential fuzzing (Jazzer): targets that run every input on every backend this machine can run; this one,
 * {@code softmax},
 * each compared with the double-precision reference ({@link Reference}) within the documented bound (4 ULP for
 * n <= 4096, else 8; FLT_MIN absolute below FLT_MIN; NaN exactly where the reference has NaN). The fuzzer chooses
 * the algorithm, the call shape (arrays at offsets, in place, direct and heap buffers), the length (0..5000,
 * across the 4096-element block), the offsets, a background distribution and up to 64 placed values from
 * {@code consumeFloat()}, which yields NaN, +-Inf, +-0, subnormals and +-FLT_MAX among others. Every input is
 * also checked to be unchanged (except in place). The second, {@link #ops}, covers the rest of the family, the
 * third, {@link #sampler}, the sampler. A new backend or tier joins by being in {@link Backend}: no target and
 * no corpus of its own.
 *
 * <p>{@code mvn verify} replays the committed corpus (src/test/resources/io/github/softmax4j/SoftmaxFuzzTestInputs/
 * softmax/) as regression tests. To fuzz for a set time (10 minutes here), optionally on some backends only:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl java test -Dtest=SoftmaxFuzzTest -Dsoftmax4j.fuzzBackends=NATIVE_AVX2 \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=600
 * </pre>
 * (without the two properties the target fuzzes for its {@code maxDuration}). New interesting inputs land in
 * java/.cifuzz-corpus/; failing ones in the Inputs folder above, where they become regression tests.
 */
class SoftmaxFuzzTest {
    /** The backends every input runs on: those this machine can run (or -Dsoftmax4j.fuzzBackends). */
    static final List<Backend> BACKENDS = backends();

    /** The raw input, decoded the same way for every backend (a FuzzedDataProvider of it per backend). */
    @FuzzTest(maxDuration = "2m")
    void softmax(byte[] input) {
        for (Backend b : BACKENDS) {
            try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(input)) {
                check(b, d);
            }
        }
    }

    /**
     * A fuzz target cannot abort (Jazzer reports an aborted assumption as a finding), so a backend that
     * cannot run here is left out of the list, with the reason printed.
     */
    private static List<Backend> backends() {
        String only = System.getProperty("softmax4j.fuzzBackends", "");
        List<Backend> out = new ArrayList<>();
        for (Backend b : Backend.values()) {
            if (!only.isBlank() && !Arrays.asList(only.split(",")).contains(b.name())) {
                continue;
            }
            try {
                Softmax.of(b);
                out.add(b);
            } catch (UnsupportedOperationException e) {
                System.out.println("!!! SKIPPED fuzzing " + b + " (cannot run on this machine): " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no backend to fuzz (softmax4j.fuzzBackends=" + only + ")");
        }
        return out;
    }

    static final float[] SCALES = {1f, 0.01f, 10f, 100f, 1000f, 70000f, 1e30f};

    /**
     * The rest of the family on the same kind of input, every backend: log-sum-exp and log-softmax (with a
     * temperature), softmax with a temperature, rows (strided, each row against the reference; short rows take
     * their own fused kernel), the fused softmax + argmax, and the sampler's argmax, each against
     * {@link OpsReference} within its documented bound. {@code mvn verify} replays its corpus
     * (SoftmaxFuzzTestInputs/ops/: the inputs of its findings, each fixed); fuzz it as above with
     * {@code -Dtest=SoftmaxFuzzTest#ops}.
     */
    @FuzzTest(maxDuration = "2m")
    void ops(byte[] input) {
        for (Backend b : BACKENDS) {
            try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(input)) {
                checkOps(b, d);
            }
        }
    }

    /**
     * The sampler on the same kind of input, every backend: {@code sample} (an array at an offset, a direct
     * buffer, batches of rows), {@code topK}, {@code logProb} and greedy decoding against {@link SamplerReference},
     * with a generator whose doubles the fuzzer chooses (out-of-range ones included: the sampler clamps them).
     * The documented arithmetic fixes the token for every setting (since the thirty-fifth session also top-p
     * without top-k and no truncation, whose rule sums the whole vocabulary's weights): it must be the
     * reference's, so every backend gives the same one. {@code mvn verify} replays its corpus (SoftmaxFuzzTestInputs/sampler/); fuzz it
     * as above with {@code -Dtest=SoftmaxFuzzTest#sampler}.
     */
    @FuzzTest(maxDuration = "2m")
    void sampler(byte[] input) {
        for (Backend b : BACKENDS) {
            try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(input)) {
                checkSampler(b, d);
            }
        }
    }

    static final float[] TEMPERATURES = {0f, 0.7f, 1f, 1.5f, 0.05f, 20f, 1e-3f, 1e3f};
    static final double[] TOP_PS = {0.95, 0.9, 0.5, 1 - 1e-7, 1e-9};
    static final double[] MIN_PS = {0.05, 0.1, 0.5, 1e-9, 0.999};

    /** A generator whose doubles are given (any value: the sampler must clamp them); nextLong is never used. */
    static final class GivenDoubles implements RandomGenerator {
        private final double[] values;
        private int next;

        GivenDoubles(double... values) {
            this.values = values;
        }

        @Override
        public double nextDouble() {
            return values[next++ % values.length];
        }

        @Override
        public long nextLong() {
            throw new AssertionError("the sampler draws doubles only");
        }
    }

    /** The sampler's settings, decoded from the input. */
    record SamplerSettings(float t, int topK, double topP, double minP) {
        Sampler of(Softmax softmax) {
            Sampler s = Sampler.of(softmax).withTemperature(t);
            s = topK > 0 ? s.withTopK(topK) : s;
            s = topP < 1.0 ? s.withTopP(topP) : s;
            return minP > 0.0 ? s.withMinP(minP) : s;
        }

        float scale() {
            return t == 0f ? 1f : 1f / t;
        }
    }

    static void checkSampler(Backend backend, FuzzedDataProvider d) {
        int op = d.consumeInt(0, 4);
        float t = d.consumeBoolean() ? d.pickValue(TEMPERATURES) : d.consumeRegularFloat(1e-3f, 1e3f);
        int n = 1 + d.consumeInt(0, 4999);
        int off = d.consumeInt(0, 7);
        float[] x = input(d, off, n);
        int kMode = d.consumeInt(0, 3);
        int topK = kMode == 0 ? 0 : kMode == 1 ? d.pickValue(new int[] {1, 2, 40, n, n + 5}) : 1 + d.consumeInt(0, n);
        // top-p and min-p: off, a usual value, any value, or exactly at a token (the mass of the m most likely
        // tokens, a token's probability relative to the top): the boundaries' comparisons are exercised
        int pMode = d.consumeInt(0, 3);
        double topP = pMode == 0 ? 1.0 : pMode == 1 ? d.pickValue(TOP_PS)
                : pMode == 2 ? d.consumeProbabilityDouble() : massOfTop(x, off, n, t, 1 + d.consumeInt(0, n - 1));
        topP = Math.max(topP, 1e-300);
        int mMode = d.consumeInt(0, 3);
        double minP = mMode == 0 ? 0.0 : mMode == 1 ? d.pickValue(MIN_PS)
                : mMode == 2 ? d.consumeProbabilityDouble() : relativeTo(x, off, n, t, d.consumeInt(0, n - 1));
        minP = Math.min(minP, Math.nextDown(1.0));
        double[] u = new double[4];
        for (int i = 0; i < u.length; i++) {
            u[i] = d.consumeBoolean() ? d.consumeProbabilityDouble() : d.consumeDouble();
        }
        float[] xCopy = x.clone();
        SamplerSettings set = new SamplerSettings(t, topK, topP, minP);
        Sampler sampler = set.of(Softmax.of(backend));
        String what = sampler + " op " + op + " n=" + n + " off=" + off + " u=" + Arrays.toString(u) + ": "
                + describe(xCopy, off, n);
        int bad = SamplerReference.invalid(x, off, n);
        switch (op) {
            case 0: // an array at an offset
            case 1: { // a direct buffer
                IntSupplier call = op == 0 ? () -> sampler.sample(x, off, n, new GivenDoubles(u))
                        : () -> {
                            FloatBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder())
                                    .asFloatBuffer().put(x, off, n).flip();
                            return sampler.sample(b, new GivenDoubles(u));
                        };
                if (bad != 0) {
                    expectInvalid(bad, call, what);
                } else {
                    expectToken(call.getAsInt(), x, off, n, set, u[0], what);
                }
                break;
            }
            case 2: { // rows: one draw per row, in order, the log-sum-exps of all rows in one call
                int rows = 1 + d.consumeInt(0, 3);
                int cols = Math.max(1, n / rows);
                rows = Math.min(rows, n / cols);
                float[] m = Arrays.copyOfRange(x, off, off + rows * cols);
                int[] tokens = new int[rows];
                int firstBad = 0;
                for (int r = 0; r < rows && firstBad == 0; r++) {
                    firstBad = SamplerReference.invalid(m, r * cols, cols);
                }
                if (firstBad != 0) {
                    // a row's NaN is named by its index within the row
                    expectInvalid(firstBad, () -> {
                        sampler.sampleRows(m, cols, new GivenDoubles(u), tokens);
                        return 0;
                    }, what + " rows " + rows + "x" + cols);
                    break;
                }
                sampler.sampleRows(m, cols, new GivenDoubles(u), tokens);
                for (int r = 0; r < rows; r++) {
                    expectToken(tokens[r], m, r * cols, cols, set, t == 0f ? 0.0 : u[r % u.length],
                            what + " row " + r + " of " + rows + "x" + cols);
                }
                break;
            }
            case 3: { // top-k: the order of the reference, probabilities under the full softmax
                float[] v = Arrays.copyOfRange(x, off, off + n);
                int k = 1 + d.consumeInt(0, n + 2);
                int want = Math.min(k, n);
                int[] indices = new int[want];
                float[] probs = new float[want];
                if (bad != 0) {
                    expectInvalid(bad, () -> sampler.topK(v, k, indices, probs), what + " topK " + k);
                    break;
                }
                assertEquals(want, sampler.topK(v, k, indices, probs), "topK count, " + what);
                int[] order = SamplerReference.order(v, 0, n);
                float s = set.scale();
                double lse = OpsReference.logSumExp(v, 0, n, s);
                int inf = SamplerReference.positiveInfinities(v, 0, n);
                for (int i = 0; i < want; i++) {
                    assertEquals(order[i], indices[i], "topK index " + i + ", " + what);
                    double ref = inf > 0 ? (v[order[i]] == Float.POSITIVE_INFINITY ? 1.0 / inf : 0.0)
                            : Math.exp((double) v[order[i]] * s - lse);
                    double tol = 2 * Math.ulp((float) Math.max(Math.abs(lse), 1.0)) + 0x1.0p-22;
                    double err = Math.abs(probs[i] - ref);
                    assertTrue(err <= ref * tol * 1.01 || err <= Float.MIN_NORMAL && ref < 2 * Float.MIN_NORMAL,
                            "topK prob " + i + " (token " + order[i] + "): " + probs[i] + " want " + ref + ", " + what);
                }
                break;
            }
            default: { // logProb: s*x[token] - lse, rounded once; the sampler's rules for special values
                float[] v = Arrays.copyOfRange(x, off, off + n);
                int token = d.consumeInt(0, n - 1);
                if (bad != 0) {
                    expectInvalid(bad, () -> {
                        sampler.logProb(v, token);
                        return 0;
                    }, what + " logProb " + token);
                    break;
                }
                float got = sampler.logProb(v, token);
                int inf = SamplerReference.positiveInfinities(v, 0, n);
                if (inf > 0) { // +Inf tokens share the mass
                    assertEquals(v[token] == Float.POSITIVE_INFINITY ? (float) -StrictMath.log(inf) : Float.NEGATIVE_INFINITY,
                            got, "logProb beside +Inf, " + what);
                    break;
                }
                double lse = OpsReference.logSumExp(v, 0, n, set.scale());
                double want = (double) v[token] * set.scale() - lse;
                if (Double.isNaN(want) || Double.isInfinite(want) || Float.isInfinite((float) want)) {
                    assertEquals((float) want, got, "logProb, " + what);
                } else {
                    double tol = 2 * Math.ulp((float) Math.max(Math.abs(lse), 1.0)) + Math.ulp((float) want);
                    assertTrue(Math.abs(got - want) <= tol, "logProb " + got + " want " + want + ", " + what);
                }
            }
        }
        assertEquals(0, Arrays.compare(xCopy, x), "input modified, " + what);
    }

    /** The largest finite logit of the range, or NaN if none. */
    private static float finiteMax(float[] x, int off, int n) {
        float max = Float.NaN;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (Float.isFinite(v) && !(v <= max)) {
                max = v;
            }
        }
        return max;
    }

    /** exp(s * (x[j] - max)) as the sampler's min-p test computes it (1 when it cannot). */
    private static double relativeTo(float[] x, int off, int n, float t, int j) {
        float max = finiteMax(x, off, n);
        float s = t == 0f ? 1f : 1f / t;
        double r = Math.exp(((double) x[off + j] - max) * s);
        return r > 0.0 && r < 1.0 ? r : 1.0;
    }

    /** The mass of the m largest logits over all of them, at temperature t (1 when it cannot). */
    private static double massOfTop(float[] x, int off, int n, float t, int m) {
        float max = finiteMax(x, off, n);
        float s = t == 0f ? 1f : 1f / t;
        float[] v = Arrays.copyOfRange(x, off, off + n);
        Arrays.sort(v);
        double top = 0.0;
        double all = 0.0;
        for (int i = n - 1; i >= 0; i--) {
            double w = StrictMath.exp(((double) v[i] - max) * s);
            all += w;
            top += i >= n - m ? w : 0.0;
        }
        double p = top / all;
        return p > 0.0 && p <= 1.0 ? p : 1.0;
    }

    /** A NaN logit (named by its first index) or all -Inf: IllegalArgumentException. */
    private static void expectInvalid(int code, IntSupplier call, String what) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::getAsInt, what);
        if (code != SamplerReference.ALL_NEGATIVE_INFINITY) {
            int nan = SamplerReference.NAN_AT - code;
            assertTrue(e.getMessage().contains("logit " + nan + " "), e.getMessage() + ", want logit " + nan + ", " + what);
        }
    }

    /** One drawn token of valid logits x[off, +n) with the generator's double u, as the Javadoc defines it. */
    private static void expectToken(int got, float[] x, int off, int n, SamplerSettings set, double u, String what) {
        String at = "token " + got + ", " + what;
        assertTrue(got >= 0 && got < n, "out of range: " + at);
        assertTrue(x[off + got] != Float.NEGATIVE_INFINITY, "a -Inf logit drawn: " + at);
        if (set.t() == 0f) {
            assertEquals(SamplerReference.argmax(x, off, n), got, "greedy, " + at);
            return;
        }
        if (SamplerReference.positiveInfinities(x, off, n) > 0) {
            assertEquals(SamplerReference.drawInfinite(x, off, n, set.topK(), u), got, "+Inf logits, " + at);
            return;
        }
        float s = set.scale();
        int[] order = SamplerReference.order(x, off, n);
        // every setting, truncated or not: exactly the rule's token (no backend's bits enter the choice)
        int keep = SamplerReference.survivors(x, off, n, order, s, set.topK(), set.topP(), set.minP());
        assertEquals(SamplerReference.draw(x, off, order, keep, s, u), got, keep + " survivors, " + at);
    }

    /**
     * Double precision ({@link DoubleSoftmax}) on the same kind of input, every backend: softmax (at offsets, in
     * place, dense rows), log-softmax and log-sum-exp, every algorithm and several scales, against the
     * double-double reference of {@code F64Test} within the Javadoc's bounds (softmax 4 ULP from DBL_MIN, below
     * it DBL_MIN absolute; log-sum-exp 4 ULP of max(|lse|, 1); log-softmax {@code 2^-52 |y| + 2^-50}), with
     * NaN, +-Inf, subnormal and huge values placed by the fuzzer ({@code consumeDouble()}). A scaled input
     * beyond the double range (s*x infinite for a finite x) is left unchecked but for the input being unchanged:
     * the Javadoc defines no result for it. {@code mvn verify} replays its corpus
     * (SoftmaxFuzzTestInputs/doubles/); fuzz it as above with {@code -Dtest=SoftmaxFuzzTest#doubles}.
     */
    @FuzzTest(maxDuration = "2m")
    void doubles(byte[] input) {
        for (Backend b : BACKENDS) {
            try (FuzzedDataProviderImpl d = FuzzedDataProviderImpl.withJavaData(input)) {
                checkDoubles(b, d);
            }
        }
    }

    private static final double[] DOUBLE_SPREADS = {1, 0.01, 10, 100, 1e4, 1e30, 1e300};
    private static final float[] DOUBLE_SCALES = {1f, 0.7f, 1f / 0.3f, 1e-3f, 1e3f, 0x1.0p-60f, 0x1.0p+60f};

    static void checkDoubles(Backend backend, FuzzedDataProvider d) {
        int op = d.consumeInt(0, 4);
        float s = d.pickValue(DOUBLE_SCALES);
        DoubleSoftmax dm = DoubleSoftmax.of(Softmax.of(backend).with(d.pickValue(Algorithm.values())).withScale(s));
        int n = d.consumeInt(0, 3000);
        int off = d.consumeInt(0, 7);
        double spread = d.pickValue(DOUBLE_SPREADS);
        double shift = d.consumeRegularDouble(-1000, 1000);
        SplittableRandom r = new SplittableRandom(d.consumeLong());
        double[] x = new double[off + n + 2];
        for (int i = 0; i < n; i++) {
            x[off + i] = r.nextGaussian() * spread + shift;
        }
        int placed = n == 0 ? 0 : d.consumeInt(0, 64);
        for (int k = 0; k < placed && d.remainingBytes() > 0; k++) {
            x[off + d.consumeInt(0, n - 1)] = d.consumeDouble();
        }
        double[] xCopy = x.clone();
        double[] v = Arrays.copyOfRange(x, off, off + n);
        Kinds kinds = Kinds.of(v, s);
        boolean nan = kinds.nan();
        boolean inf = kinds.inf();
        boolean allNegInf = kinds.allNegInf();
        boolean beyond = kinds.beyond();
        String what = dm + " op " + op + " n=" + n + " off=" + off + " s=" + s + " spread=" + spread + " shift="
                + shift + ", unusual values:" + unusual(v);
        double[] lse = new double[2];
        double[] ref = nan || inf || allNegInf || beyond ? null : F64Test.reference(v, n, s, lse);
        switch (op) {
            case 0: { // an array at offsets
                double[] y = new double[n + 3];
                dm.softmax(x, off, y, 3, n);
                expectDoubleSoftmax(y, 3, ref, n, nan || inf || allNegInf, beyond, what);
                break;
            }
            case 1: { // in place
                double[] z = x.clone();
                dm.softmax(z, off, z, off, n);
                expectDoubleSoftmax(z, off, ref, n, nan || inf || allNegInf, beyond, what + " in place");
                break;
            }
            case 2: { // dense rows: each row against its own reference
                int cols = n == 0 ? 1 : 1 + d.consumeInt(0, Math.min(n, 400) - 1);
                int rows = n / cols;
                double[] m = Arrays.copyOf(v, rows * cols);
                double[] y = new double[rows * cols];
                dm.softmaxRows(m, y, cols);
                for (int row = 0; row < rows; row++) {
                    double[] rv = Arrays.copyOfRange(m, row * cols, (row + 1) * cols);
                    Kinds k = Kinds.of(rv, s);
                    boolean nanRow = k.nan() || k.inf() || k.allNegInf();
                    double[] rr = nanRow || k.beyond() ? null : F64Test.reference(rv, cols, s, new double[2]);
                    expectDoubleSoftmax(y, row * cols, rr, cols, nanRow, k.beyond(),
                            what + " row " + row + " of " + rows + "x" + cols);
                }
                break;
            }
            case 3: { // log-softmax
                double[] y = new double[n];
                dm.logSoftmax(x, off, y, 0, n);
                if (beyond) {
                    break;
                }
                double[] refLog = nan || inf || allNegInf ? null : F64Test.referenceLog(v, n, s);
                for (int i = 0; i < n; i++) {
                    if (refLog == null) {
                        assertTrue(Double.isNaN(y[i]), "log-softmax want NaN at " + i + ", got " + y[i] + ", " + what);
                    } else if (refLog[2 * i] == Double.NEGATIVE_INFINITY) {
                        assertEquals(Double.NEGATIVE_INFINITY, y[i], "log-softmax of -Inf at " + i + ", " + what);
                    } else {
                        double err = Math.abs((y[i] - refLog[2 * i]) - refLog[2 * i + 1]);
                        assertTrue(err <= Math.abs(refLog[2 * i]) * 0x1p-52 + 0x1p-50, "log-softmax " + y[i] + " want "
                                + refLog[2 * i] + " at " + i + ", " + what);
                    }
                }
                break;
            }
            default: { // log-sum-exp
                double got = dm.logSumExp(x, off, n);
                if (beyond) {
                    break;
                }
                double want = nan ? Double.NaN : inf ? Double.POSITIVE_INFINITY
                        : allNegInf ? Double.NEGATIVE_INFINITY : lse[0];
                if (ref == null || Double.isInfinite(want)) {
                    assertEquals(want, got, "lse, " + what);
                } else {
                    double err = Math.abs(want) >= 1.0 ? F64Test.ulps(got, lse[0], lse[1])
                            : Math.abs((got - lse[0]) - lse[1]) / 0x1p-52;
                    assertTrue(err <= 4.0, "lse " + got + " want " + want + " (" + err + "), " + what);
                }
            }
        }
        assertEquals(0, Arrays.compare(xCopy, x), "input modified, " + what);
    }

    /**
     * What a double vector holds: a NaN, a +Inf, nothing but -Inf (or nothing), a finite x whose s*x overflows
     * (no result is defined for it).
     */
    private record Kinds(boolean nan, boolean inf, boolean allNegInf, boolean beyond) {
        static Kinds of(double[] v, float s) {
            boolean nan = false;
            boolean inf = false;
            boolean allNegInf = true;
            boolean beyond = false;
            for (double e : v) {
                nan |= Double.isNaN(e);
                inf |= e == Double.POSITIVE_INFINITY;
                allNegInf &= e == Double.NEGATIVE_INFINITY;
                beyond |= Double.isFinite(e) && Double.isInfinite(e * s);
            }
            return new Kinds(nan, inf, allNegInf, beyond);
        }
    }

    /** The non-finite, huge (beyond 1e300) and subnormal values of v with their indices (at most 12). */
    private static String unusual(double[] v) {
        StringBuilder odd = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < v.length && shown < 12; i++) {
            double e = v[i];
            if (!Double.isFinite(e) || Math.abs(e) > 1e300 || (e != 0 && Math.abs(e) < Double.MIN_NORMAL)) {
                odd.append(' ').append(i).append('=').append(e);
                shown++;
            }
        }
        return shown == 0 ? " none" : odd.toString();
    }

    /** Double softmax of n outputs at y[yOff]: all NaN when nanRow, else the reference's bound (unless beyond). */
    private static void expectDoubleSoftmax(double[] y, int yOff, double[] ref, int n, boolean nanRow, boolean beyond,
            String what) {
        if (beyond) {
            return;
        }
        for (int i = 0; i < n; i++) {
            double got = y[yOff + i];
            if (nanRow) {
                assertTrue(Double.isNaN(got), "want NaN at " + i + ", got " + got + ", " + what);
                continue;
            }
            double rh = ref[2 * i];
            boolean ok = rh >= Double.MIN_NORMAL ? F64Test.ulps(got, rh, ref[2 * i + 1]) <= 4.0
                    : Double.isFinite(got) && Math.abs(got - rh) <= Double.MIN_NORMAL;
            assertTrue(ok, "softmax at " + i + ": " + got + " want " + rh + " (" + F64Test.ulps(got, rh, ref[2 * i + 1])
                    + " ULP), " + what);
        }
    }

    private static final float[] TEMPERATURE_SCALES = {1f, 1f / 0.7f, 0.5f, 2f, 1e-3f, 1e3f, 0x1.0p-100f, 0x1.0p+100f};

    static void checkOps(Backend backend, FuzzedDataProvider d) {
        int op = d.consumeInt(0, 5);
        float s = d.pickValue(TEMPERATURE_SCALES);
        Softmax sm = Softmax.of(backend).with(d.pickValue(Algorithm.values())).withScale(s);
        int n = d.consumeInt(0, 5000);
        int off = d.consumeInt(0, 7);
        float[] x = input(d, off, n);
        float[] xCopy = x.clone();
        String what = sm + " op " + op + " n=" + n + " off=" + off + ": " + describe(xCopy, off, n);
        double lse = OpsReference.logSumExp(x, off, n, s);
        switch (op) {
            case 0: // log-sum-exp
                expectLse(sm.logSumExp(x, off, n), lse, what);
                break;
            case 1: { // log-softmax
                float[] y = new float[n];
                sm.logSoftmax(x, off, y, 0, n);
                for (int i = 0; i < n; i++) {
                    expectLogSoftmax(y[i], x[off + i], s, lse, what + " at " + i);
                }
                break;
            }
            case 2: { // softmax with the temperature
                float[] y = new float[n + 1];
                sm.softmax(x, off, y, 1, n);
                expectSoftmax(y, 1, x, off, n, s, lse, what);
                break;
            }
            case 3: { // rows: cols from the input, a stride of at least cols, every row against the reference
                int cols = n == 0 ? 0 : 1 + d.consumeInt(0, Math.min(n, 300) - 1);
                int stride = cols + d.consumeInt(0, 3);
                int rows = cols == 0 ? 0 : Math.max(0, (n - cols) / stride + 1);
                float[] y = new float[off + n + 2];
                sm.softmaxRows(x, off, stride, y, off, stride, rows, cols);
                float[] lses = new float[rows];
                if (rows > 0) {
                    sm.logSumExpRows(x, off, stride, rows, cols, lses, 0);
                }
                for (int row = 0; row < rows; row++) {
                    int at = off + row * stride;
                    double rowLse = OpsReference.logSumExp(x, at, cols, s);
                    expectSoftmax(y, at, x, at, cols, s, rowLse, what + " row " + row + " of " + rows + "x" + cols
                            + " stride " + stride);
                    expectLse(lses[row], rowLse, what + " lse row " + row);
                }
                break;
            }
            case 4: { // the fused softmax + argmax
                float[] y = new float[n];
                int index = sm.softmaxArgmax(x, off, y, 0, n);
                expectSoftmax(y, 0, x, off, n, s, lse, what);
                int want = -1;
                for (int i = 0; i < n; i++) {
                    if (!Float.isNaN(y[i]) && (want < 0 || y[i] > y[want])) {
                        want = i;
                    }
                }
                if (n > 0 && Float.isNaN(y[0])) {
                    want = -1;
                }
                assertEquals(want, index, "softmaxArgmax index, " + what);
                break;
            }
            default: { // the sampler's argmax: the first largest logit, a NaN named, all -Inf refused
                if (n == 0) {
                    break;
                }
                int nan = -1;
                int want = 0;
                for (int i = 0; i < n; i++) {
                    float v = x[off + i];
                    if (Float.isNaN(v)) {
                        nan = i;
                        break;
                    }
                    if (v > x[off + want]) {
                        want = i;
                    }
                }
                Sampler sampler = Sampler.of(sm).greedy();
                if (nan >= 0 || x[off + want] == Float.NEGATIVE_INFINITY) {
                    int firstNan = nan;
                    IllegalArgumentException e = assertThrows(
                            IllegalArgumentException.class, () -> sampler.argmax(x, off, n), what);
                    if (firstNan >= 0) {
                        assertTrue(e.getMessage().contains("logit " + firstNan + " "),
                                e.getMessage() + ", " + what);
                    }
                } else {
                    assertEquals(want, sampler.argmax(x, off, n), "argmax, " + what);
                }
            }
        }
        assertEquals(0, Arrays.compare(xCopy, x), "input modified, " + what);
    }

    /** Log-sum-exp within 2 ULP of max(|lse|, 1); a reference beyond the float range gives that infinity. */
    private static void expectLse(float got, double ref, String what) {
        if (Float.isInfinite((float) ref) && !Double.isInfinite(ref)) { // beyond the float range once rounded
            assertEquals(Math.signum(ref) * Double.POSITIVE_INFINITY, got, "lse beyond float, " + what);
            return;
        }
        double e = OpsReference.lseError(got, ref);
        assertTrue(e <= 2, "lse " + got + " want " + ref + " (" + e + " ULP), " + what);
    }

    /** One log-softmax output: s*x - lse within the documented absolute bound, -Inf for -Inf, NaN rows. */
    private static void expectLogSoftmax(float got, float x, float s, double lse, String what) {
        if (Double.isNaN(lse) || Double.isInfinite(lse)) {
            assertTrue(Float.isNaN(got), "want NaN, got " + got + ", " + what);
            return;
        }
        if (x == Float.NEGATIVE_INFINITY) {
            assertEquals(Float.NEGATIVE_INFINITY, got, what);
            return;
        }
        double want = (double) x * s - lse;
        if (Float.isInfinite((float) want)) { // beyond the float range once rounded (FLT_MAX + 2^103 and up)
            assertEquals(Math.signum(want) * Double.POSITIVE_INFINITY, got, "beyond float, " + what);
            return;
        }
        assertTrue(Math.abs(got - want) <= OpsReference.logSoftmaxBound(x, s, lse),
                "log-softmax " + got + " want " + want + ", " + what);
    }

    /** Softmax of x[xOff, +n) at scale s in y[yOff, +n): the documented ULP bound, or all NaN. */
    private static void expectSoftmax(float[] y, int yOff, float[] x, int xOff, int n, float s, double lse,
            String what) {
        double[] p = OpsReference.softmax(x, xOff, n, s);
        double bound = n <= 4096 ? 4 : 8;
        for (int i = 0; i < n; i++) {
            float got = y[yOff + i];
            if (Double.isNaN(lse) || lse == Double.POSITIVE_INFINITY || lse == Double.NEGATIVE_INFINITY) {
                assertTrue(Float.isNaN(got), "want NaN at " + i + ", got " + got
                        + ", " + what);
                continue;
            }
            double e = OpsReference.softmaxError(got, p[i]);
            if (e > bound) {
                throw new AssertionError(String.format("softmax %s ULP > %s at %d: x=%s want %s got %s; %s", e, bound,
                        i, Float.toHexString(x[xOff + i]), p[i], Float.toHexString(got), what));
            }
        }
    }

    /**
     * A fuzz target cannot abort (Jazzer reports an aborted assumption as a finding), so a backend that
     * cannot run here disables its target, with the reason printed.
     */
    private static boolean available(Backend b) {
        try {
            Softmax.of(b);
            return true;
        } catch (UnsupportedOperationException e) {
            System.out.println("!!! SKIPPED fuzz target for " + b + " (cannot run on this machine): " + e.getMessage());
            return false;
        }
    }

    /**
     * The input both targets decode the same way: x[off, off + n) of a Gaussian background (spread from
     * {@link #SCALES}, a shift in [-200, 200], a seed) and up to 64 placed values from {@code consumeFloat()};
     * two spare elements after it.
     */
    static float[] input(FuzzedDataProvider d, int off, int n) {
        float spread = d.pickValue(SCALES);
        float shift = d.consumeRegularFloat(-200f, 200f);
        SplittableRandom r = new SplittableRandom(d.consumeLong());
        float[] x = new float[off + n + 2];
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (r.nextGaussian() * spread + shift);
        }
        int placed = n == 0 ? 0 : d.consumeInt(0, 64);
        for (int k = 0; k < placed && d.remainingBytes() > 0; k++) {
            x[off + d.consumeInt(0, n - 1)] = d.consumeFloat();
        }
        return x;
    }

    /** The input's range and its unusual values (non-finite, huge, subnormal), for failure messages. */
    static String describe(float[] x, int off, int n) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        StringBuilder odd = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            if ((!Float.isFinite(v) || Math.abs(v) > 1e4f || (v != 0 && Math.abs(v) < Float.MIN_NORMAL)) && shown++ < 12) {
                odd.append(' ').append(i).append('=').append(Float.toHexString(v));
            }
        }
        return "input min " + min + " max " + max + ", unusual values:" + (shown == 0 ? " none" : odd.toString());
    }

    static void check(Backend backend, FuzzedDataProvider d) {
        Softmax s = Softmax.of(backend).with(d.pickValue(Algorithm.values()));
        int shape = d.consumeInt(0, 3);
        int n = d.consumeInt(0, 5000);
        int xOff = d.consumeInt(0, 7);
        int yOff = d.consumeInt(0, 7);
        float[] x = input(d, xOff, n);
        float[] xCopy = x.clone();
        float[] ref = Reference.softmax(x, xOff, n);
        float[] got;
        String where;
        switch (shape) {
            case 0: {
                float[] y = new float[yOff + n + 1];
                s.softmax(x, xOff, y, yOff, n);
                got = Arrays.copyOfRange(y, yOff, yOff + n);
                where = "arrays x+" + xOff + " y+" + yOff;
                break;
            }
            case 1: {
                float[] z = x.clone();
                s.softmax(z, xOff, z, xOff, n);
                got = Arrays.copyOfRange(z, xOff, xOff + n);
                where = "in place +" + xOff;
                break;
            }
            case 2: {
                FloatBuffer xb = ByteBuffer.allocateDirect(4 * (xOff + n)).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                xb.put(x, 0, xOff + n).position(xOff);
                FloatBuffer yb = ByteBuffer.allocateDirect(4 * n + 16).position(yOff).slice()
                        .order(ByteOrder.nativeOrder()).asFloatBuffer().limit(n);
                s.softmax(xb, yb);
                got = new float[n];
                yb.get(0, got);
                float[] xAfter = new float[n];
                xb.get(xOff, xAfter);
                assertEquals(0, Arrays.compare(Arrays.copyOfRange(x, xOff, xOff + n), xAfter), "direct input modified");
                where = "direct x+" + xOff + " y+" + yOff + " bytes";
                break;
            }
            default: {
                FloatBuffer xb = FloatBuffer.wrap(x).position(xOff).slice().limit(n);
                FloatBuffer yb = FloatBuffer.wrap(new float[n + yOff]).position(yOff).slice();
                s.softmax(xb, yb);
                got = new float[n];
                yb.get(0, got);
                where = "heap slices x+" + xOff + " y+" + yOff;
            }
        }
        assertEquals(0, Arrays.compare(xCopy, x), "input modified (" + where + ")");
        double bound = n <= 4096 ? 4 : 8;
        double err = Reference.maxUlp(ref, got, 0);
        if (err > bound) {
            int i = Reference.firstBad(ref, got, 0, bound);
            throw new AssertionError(String.format("%s n=%d %s: %s ULP > %s; first at %d: x=%s want %s got %s; %s",
                    s, n, where, err, bound, i, Float.toHexString(x[xOff + i]), Float.toHexString(ref[i]),
                    Float.toHexString(got[i]), describe(xCopy, xOff, n)));
        }
    }
}
