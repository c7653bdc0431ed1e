package io.github.softmax4j.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.github.softmax4j.Backend;
import io.github.softmax4j.Sampler;
import io.github.softmax4j.Softmax;

/**
 * Next-token sampling over a vocabulary of V logits (issue 13), against the softmax of the same logits and a
 * read-only pass, and against the straightforward Java sampler (softmax with {@code Math.exp}, sort the
 * indices by probability, walk the cumulative sum), as such code is usually written.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SamplerBenchmark {
    @Param({"32000", "128256", "262144"})
    public int vocab;

    @Param({"NATIVE_AVX512"})
    public String backend;

    /**
     * peaked: N(0, 3) logits and one in 500 near 12 (a model's usual output: a nucleus of tens of tokens);
     * wide: N(0, 3) logits alone (a top-p 0.95 nucleus of hundreds to a few thousand tokens at T = 0.7);
     * flat: N(0, 1) logits (a nucleus of most of the vocabulary at T = 0.7).
     */
    @Param({"peaked"})
    public String distribution;

    private float[] logits;
    private float[] probs;
    private Softmax softmax;
    private Sampler topKTopP;
    private Sampler topP;
    private Sampler minP;
    private Sampler topPMinP;
    private Sampler temperatureOnly;
    private Sampler greedy;
    private SplittableRandom rng;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        logits = new float[vocab];
        boolean flat = distribution.equals("flat");
        boolean peaked = distribution.equals("peaked");
        if (!flat && !peaked && !distribution.equals("wide")) {
            throw new IllegalArgumentException("distribution " + distribution + ": peaked, wide or flat");
        }
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) ((flat ? 1 : 3) * r.nextGaussian());
        }
        for (int k = 0; peaked && k < 1 + vocab / 500; k++) {
            logits[r.nextInt(vocab)] = (float) (12 + 2 * r.nextGaussian());
        }
        probs = new float[vocab];
        softmax = Softmax.of(Backend.valueOf(backend));
        Sampler base = Sampler.of(softmax).withTemperature(0.7f);
        topKTopP = base.withTopK(40).withTopP(0.95);
        topP = base.withTopP(0.95);
        minP = base.withMinP(0.05);
        topPMinP = base.withTopP(0.95).withMinP(0.05);
        temperatureOnly = base;
        greedy = base.greedy();
        rng = new SplittableRandom(7);
    }

    /** The yardstick: the softmax of the same logits at T = 0.7. */
    @Benchmark
    public float[] softmax() {
        softmax.withTemperature(0.7f).softmax(logits, probs);
        return probs;
    }

    /**
     * The other yardstick: one read of every logit at full vector width (Vector API, four independent
     * accumulators: a plain {@code for} loop over floats is not vectorized by C2 and would be 4-8x slower).
     */
    @Benchmark
    public float readOnlySum() {
        VectorSpecies<Float> sp = FloatVector.SPECIES_PREFERRED;
        int w = sp.length();
        FloatVector a0 = FloatVector.zero(sp);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (; i <= logits.length - 4 * w; i += 4 * w) {
            a0 = a0.add(FloatVector.fromArray(sp, logits, i));
            a1 = a1.add(FloatVector.fromArray(sp, logits, i + w));
            a2 = a2.add(FloatVector.fromArray(sp, logits, i + 2 * w));
            a3 = a3.add(FloatVector.fromArray(sp, logits, i + 3 * w));
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < logits.length; i++) {
            s += logits[i];
        }
        return s;
    }

    /** Greedy decoding that also wants the probabilities: the fused op (issue 11's worked example). */
    @Benchmark
    public int softmaxArgmax() {
        return softmax.withTemperature(0.7f).softmaxArgmax(logits, probs);
    }

    /** The same as two calls: the softmax, then an argmax pass over its output. */
    @Benchmark
    public int softmaxThenArgmax() {
        softmax.withTemperature(0.7f).softmax(logits, probs);
        return greedy.argmax(probs);
    }

    @Benchmark
    public int sampleTopKTopP() {
        return topKTopP.sample(logits, rng);
    }

    @Benchmark
    public int sampleTopP() {
        return topP.sample(logits, rng);
    }

    @Benchmark
    public int sampleMinP() {
        return minP.sample(logits, rng);
    }

    /** llama.cpp's default chain without top-k: top-p 0.95 and min-p 0.05. */
    @Benchmark
    public int sampleTopPMinP() {
        return topPMinP.sample(logits, rng);
    }

    /** No truncation: T = 0.7 over the whole vocabulary. */
    @Benchmark
    public int sampleTemperature() {
        return temperatureOnly.sample(logits, rng);
    }

    @Benchmark
    public int argmax() {
        return greedy.argmax(logits);
    }

    /** The straightforward Java sampler: T = 0.7, top-k 40, top-p 0.95, with Math.exp and a full sort. */
    @Benchmark
    public int naiveJavaSampler() {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[i] - max) / 0.7);
            sum += p[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int k = Math.min(40, n);
        double kept = 0;
        for (int i = 0; i < k; i++) {
            kept += p[order[i]];
        }
        double acc = 0;
        int m = 0;
        while (m < k) {
            acc += p[order[m++]] / kept;
            if (acc >= 0.95) {
                break;
            }
        }
        double u = rng.nextDouble() * acc * kept;
        double c = 0;
        for (int i = 0; i < m; i++) {
            c += p[order[i]];
            if (c > u) {
                return order[i];
            }
        }
        return order[m - 1];
    }
}
