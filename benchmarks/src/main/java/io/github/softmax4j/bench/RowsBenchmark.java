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
 * Batched rows, as attention and batched sampling call them: 2^18 floats as rows x cols, for short rows
 * (4, 8, 16) up to long ones; one {@code softmaxRows} call against a loop of single-row calls (the cliff
 * the batched form avoids: a JNI call per row), and the batched cross-entropy. Time per call over all
 * 2^18 elements. Run: {@code java -jar benchmarks/target/benchmarks.jar RowsBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RowsBenchmark {
    static final int TOTAL = 1 << 18;

    @Param({"NATIVE_AVX2", "VECTOR"})
    public Backend backend;

    @Param({"4", "8", "16", "64", "1024", "32768"})
    public int cols;

    private Softmax softmax;
    private float[] x;
    private float[] y;
    private int[] labels;
    private int rows;

    @Setup
    public void setup() {
        softmax = Softmax.of(backend);
        x = BenchInputs.logits(TOTAL);
        y = new float[TOTAL];
        rows = TOTAL / cols;
        labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = (r * 31) % cols;
        }
    }

    @Benchmark
    public float[] softmaxRows() {
        softmax.softmaxRows(x, 0, cols, y, 0, cols, rows, cols);
        return y;
    }

    @Benchmark
    public float[] softmaxRowByRow() {
        for (int r = 0; r < rows; r++) {
            softmax.softmax(x, r * cols, y, r * cols, cols);
        }
        return y;
    }

    @Benchmark
    public float crossEntropyRows() {
        return softmax.crossEntropyRows(x, cols, labels);
    }
}
