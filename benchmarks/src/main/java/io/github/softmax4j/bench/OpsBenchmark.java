package io.github.softmax4j.bench;

import java.util.concurrent.TimeUnit;

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
import io.github.softmax4j.Softmax;

/**
 * The softmax family on one vector of n floats: softmax (AUTO), softmax with a temperature (fused scale),
 * log-softmax, log-sum-exp, cross-entropy, and the parallel softmax / log-sum-exp on the common pool (the
 * calling thread plus its workers; threshold 1 so every size splits). Time per call. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar OpsBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OpsBenchmark {
    @Param({"NATIVE_AVX2", "VECTOR", "SCALAR"})
    public Backend backend;

    @Param({"1024", "32768", "262144", "1048576", "16777216", "67108864"})
    public int n;

    private Softmax softmax;
    private Softmax tempered;
    private Softmax parallel;
    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        softmax = Softmax.of(backend);
        tempered = softmax.withTemperature(0.7f);
        parallel = softmax.parallel().withParallelThreshold(1);
        x = BenchInputs.logits(n);
        y = new float[n];
    }

    @Benchmark
    public float[] softmax() {
        softmax.softmax(x, y);
        return y;
    }

    @Benchmark
    public float[] softmaxTemperature() {
        tempered.softmax(x, y);
        return y;
    }

    @Benchmark
    public float[] logSoftmax() {
        softmax.logSoftmax(x, y);
        return y;
    }

    @Benchmark
    public float logSumExp() {
        return softmax.logSumExp(x);
    }

    @Benchmark
    public float crossEntropy() {
        return softmax.crossEntropy(x, 7);
    }

    @Benchmark
    public float[] softmaxParallel() {
        parallel.softmax(x, y);
        return y;
    }

    @Benchmark
    public float logSumExpParallel() {
        return parallel.logSumExp(x);
    }
}
