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
import io.github.softmax4j.internal.NativeLib;

/**
 * The raw JNI call, {@code NativeLib.s4j_softmax_f32_at}, without the facade's checks and dispatch: compared
 * with {@link SoftmaxBenchmark} (same backend, algorithm and N) it shows what the Java side costs, and
 * compared with the native harness ({@code benchmarks/native}) what JNI and array pinning cost.
 *
 * <p>The library is loaded through the path the library itself uses ({@link Softmax#of(Backend)}), never by
 * touching the JavaCPP loader from here. Only native backends make sense; others fail the trial.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RawNativeBenchmark {
    @Param({"NATIVE_AVX2"})
    public Backend backend;

    @Param({"AUTO", "TWO_PASS", "THREE_PASS_RECOMPUTE", "THREE_PASS_RELOAD"})
    public Algorithm algorithm;

    @Param({"1000", "1024", "4096", "4097", "16384", "65536", "65537", "262144", "1048576", "1048577", "4194304",
            "16777216", "67108864"})
    public int n;

    private int isa;
    private int algo;
    private float[] x;
    private float[] y;
    private FloatBuffer xb;
    private FloatBuffer yb;

    @Setup
    public void setup() {
        if (!backend.isNative()) {
            throw new IllegalArgumentException(backend + " is not a native backend");
        }
        Softmax.of(backend); // loads the JNI library, or says why this backend cannot run here
        isa = -1; // the tier's S4J_ISA_* number: the C library's tier of the backend's name
        for (int i = 0; NativeLib.s4j_isa_name(i) != null; i++) {
            if (NativeLib.s4j_isa_name(i).equals(backend.isa())) {
                isa = i;
            }
        }
        algo = algorithm.ordinal(); // softmax4j.h: the S4J_ALGO_* numbers match Algorithm's ordinals
        if (isa < 0 || NativeLib.s4j_isa_supported(isa) != 1) {
            throw new IllegalStateException("ISA tier " + backend.isa() + " not supported here");
        }
        x = BenchInputs.logits(n);
        y = new float[n];
        xb = BenchInputs.direct(x);
        yb = BenchInputs.direct(n);
    }

    @Benchmark
    public float[] rawNativeArray() {
        if (NativeLib.s4j_softmax_f32_at(isa, algo, x, 0, y, 0, n) != 0) {
            throw new IllegalStateException("s4j_softmax_f32_at failed");
        }
        return y;
    }

    @Benchmark
    public FloatBuffer rawNativeDirectBuffer() {
        if (NativeLib.s4j_softmax_f32_at(isa, algo, xb, 0, yb, 0, n) != 0) {
            throw new IllegalStateException("s4j_softmax_f32_at failed");
        }
        return yb;
    }
}
