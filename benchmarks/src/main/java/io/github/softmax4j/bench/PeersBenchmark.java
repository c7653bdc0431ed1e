package io.github.softmax4j.bench;

import java.nio.FloatBuffer;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tribuo.math.util.ExpNormalizer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * What a Java user would pick instead of softmax4j, single-threaded, on the same inputs as
 * {@link SoftmaxBenchmark} (compare per N with its {@code array} results). Kept out of the core classes so
 * the core suite runs without these libraries.
 *
 * <ul>
 * <li>ONNX Runtime Java, a one-node Softmax model written by {@link OnnxSoftmaxModel}, session with one
 * intra-op and one inter-op thread, sequential execution:
 * <ul>
 * <li>{@code onnxRuntimeDirect}: its best case, direct buffers in and out, the output tensor pinned (no
 * allocation or copy per call);</li>
 * <li>{@code onnxRuntimeFloatArray}: from a {@code float[]} to a {@code float[]}, as a user holding arrays
 * calls it (the input copied into a tensor, the output tensor allocated and copied out).</li>
 * </ul></li>
 * <li>Tribuo's {@code ExpNormalizer} (pure Java, double precision: max, sum of Math.exp, scale), with the
 * float[] to double[] conversion and back that a float[] user needs.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PeersBenchmark {
    @Param({"1000", "1024", "4096", "4097", "16384", "65536", "65537", "262144", "1048576", "1048577", "4194304",
            "16777216", "67108864"})
    public int n;

    private float[] x;
    private float[] y;
    private double[] work;
    private long[] shape;

    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor inDirect;
    private OnnxTensor outDirect;
    private FloatBuffer outBuffer; // the memory behind outDirect
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> pinnedOutputs;

    private ExpNormalizer tribuo;

    @Setup
    public void setup() throws OrtException {
        x = BenchInputs.logits(n);
        y = new float[n];
        work = new double[n];
        shape = new long[] {1, n};

        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(OnnxSoftmaxModel.bytes("x", "y"), options);
        }
        FloatBuffer xb = BenchInputs.direct(x);
        outBuffer = BenchInputs.direct(n);
        inDirect = OnnxTensor.createTensor(env, xb, shape); // direct, native order: wrapped, not copied
        outDirect = OnnxTensor.createTensor(env, outBuffer, shape);
        inputs = Map.of("x", inDirect);
        pinnedOutputs = Map.of("y", outDirect);

        tribuo = new ExpNormalizer();

        // Both peers must compute a softmax, or their timings mean nothing.
        check("onnxRuntimeDirect", onnxRuntimeDirect());
        check("onnxRuntimeFloatArray", onnxRuntimeFloatArray());
        check("tribuoExpNormalizer", tribuoExpNormalizer());
    }

    /**
     * Prints the largest relative error of a peer's output against a double-precision softmax (sampled
     * outputs): the speed comparison stands next to what each result is worth. ONNX Runtime 1.28's MLAS
     * kernel, for one, is off by ~1e-5 relative at 256K elements and ~1e-3 at 16M (fp32 sums).
     */
    private void check(String what, Object result) {
        float[] got;
        if (result instanceof FloatBuffer) {
            got = new float[n];
            ((FloatBuffer) result).get(0, got);
        } else {
            got = (float[]) result;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double worst = 0;
        for (int i = 0; i < n; i += Math.max(1, n / 997)) {
            double want = Math.exp(x[i] - max) / sum;
            if (want >= Float.MIN_NORMAL) {
                worst = Math.max(worst, Math.abs(got[i] - want) / want);
            }
        }
        System.out.printf("ACCURACY %s n=%d: max relative error %.3g (%.0f float ULP at most)%n", what, n, worst,
                worst / 0x1p-24);
        if (!(worst < 0.01)) {
            throw new IllegalStateException(what + " is wrong: relative error " + worst);
        }
    }

    @TearDown
    public void tearDown() throws OrtException {
        inDirect.close();
        outDirect.close();
        session.close();
    }

    @Benchmark
    public FloatBuffer onnxRuntimeDirect() throws OrtException {
        try (OrtSession.Result ignored = session.run(inputs, pinnedOutputs)) {
            return outBuffer; // not outDirect.getFloatBuffer(): that would copy the output
        }
    }

    @Benchmark
    public float[] onnxRuntimeFloatArray() throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                OrtSession.Result result = session.run(Map.of("x", in))) {
            ((OnnxTensor) result.get(0)).getFloatBuffer().get(y);
        }
        return y;
    }

    @Benchmark
    public float[] tribuoExpNormalizer() {
        for (int i = 0; i < n; i++) {
            work[i] = x[i];
        }
        tribuo.normalizeInPlace(work);
        for (int i = 0; i < n; i++) {
            y[i] = (float) work[i];
        }
        return y;
    }
}
