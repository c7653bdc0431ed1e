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

/**
 * What a Java user writes today, in the same run: the plain loop (max, sum of Math.exp, scale) and,
 * as a bandwidth yardstick, System.arraycopy of N floats.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class BaselineBenchmark {
    @Param({"1000", "1024", "4096", "4097", "16384", "65536", "65537", "262144", "1048576", "1048577", "4194304",
            "16777216", "67108864"})
    public int n;

    private float[] x;
    private float[] y;

    @Setup
    public void setup() {
        x = BenchInputs.logits(n);
        y = new float[n];
    }

    @Benchmark
    public float[] plainJavaLoop() {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[i] - max);
            y[i] = e;
            sum += e;
        }
        float inv = (float) (1 / sum);
        for (int i = 0; i < n; i++) {
            y[i] *= inv;
        }
        return y;
    }

    @Benchmark
    public float[] arraycopy() {
        System.arraycopy(x, 0, y, 0, n);
        return y;
    }
}
