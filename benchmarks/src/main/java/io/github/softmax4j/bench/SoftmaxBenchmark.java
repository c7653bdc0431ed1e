package io.github.softmax4j.bench;

import java.nio.FloatBuffer;
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

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;
import io.github.softmax4j.Softmax;

/**
 * softmax4j through its public API: backend x algorithm x N, float[] and direct FloatBuffer. Time per call
 * (divide by N for ns/element). Run: {@code java -jar benchmarks/target/benchmarks.jar SoftmaxBenchmark}.
 *
 * <p>The sizes are the native harness's (1K ... 64M: L1, L2, L3, DRAM) plus odd ones (1000, 4097, 65537,
 * 1048577) that exercise the kernels' tails. The backend default lists backends most x86-64 machines have;
 * {@code benchmarks/run.sh} passes {@code -p backend=...} from {@link Softmax#available()} (see
 * {@link Backends}). A backend that cannot run here fails its trial with the reason, and JMH goes on.
 * {@link RawNativeBenchmark} times the JNI call without the facade, so the difference is the Java cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SoftmaxBenchmark {
    @Param({"NATIVE_AVX2", "VECTOR", "SCALAR"})
    public Backend backend;

    @Param({"AUTO", "TWO_PASS", "THREE_PASS_RECOMPUTE", "THREE_PASS_RELOAD"})
    public Algorithm algorithm;

    @Param({"1000", "1024", "4096", "4097", "16384", "65536", "65537", "262144", "1048576", "1048577", "4194304",
            "16777216", "67108864"})
    public int n;

    private Softmax softmax;
    private float[] x;
    private float[] y;
    private FloatBuffer xb;
    private FloatBuffer yb;

    @Setup
    public void setup() {
        softmax = Softmax.of(backend).with(algorithm);
        x = BenchInputs.logits(n);
        y = new float[n];
        xb = BenchInputs.direct(x);
        yb = BenchInputs.direct(n);
    }

    @Benchmark
    public float[] array() {
        softmax.softmax(x, y);
        return y;
    }

    /**
     * What {@code Softmax.get()} does with the same call: the fastest backend, or with
     * {@code -Dsoftmax4j.tinyCalls=vector} (pass it with {@code -jvmArgsAppend}, with the flags above) calls of
     * at most {@code Dispatch.MAX_SMALL_CALL} elements to the Vector API kernel and the rest to the fastest
     * backend. Neither {@code backend} nor {@code algorithm} applies: run it with one value of each
     * ({@code -p backend=NATIVE_AVX2 -p algorithm=AUTO}), or JMH repeats it for every combination.
     */
    @Benchmark
    public float[] defaultInstance() {
        Softmax.get().softmax(x, y);
        return y;
    }

    @Benchmark
    public FloatBuffer directBuffer() {
        softmax.softmax(xb, yb);
        return yb;
    }
}
