package io.github.softmax4j;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import io.github.softmax4j.internal.KernelSelector;
import io.github.softmax4j.internal.NativeKernel;

/**
 * {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar softmax4j-<version>.jar}
 * (the jar's manifest finds JavaCPP beside it, in {@code lib/} beside it — as in the build's {@code target/} —
 * or in the Maven repository layout, e.g. the jar in {@code ~/.m2/repository} after {@code mvn install}):
 * prints the CPU features the native probe sees, every backend and why
 * it can or cannot run, the backend {@link Softmax#get()} chose, a self-check of every available backend and
 * algorithm against a double-precision softmax, and a rough speed table (a quick look only: the numbers
 * worth quoting come from the JMH benchmarks in {@code benchmarks/}; {@code --no-speed} leaves it out). Exits
 * with status 1 if a self-check fails or the configuration ({@code -Dsoftmax4j.backend}, {@code .maxIsa},
 * {@code .tinyCalls}) is wrong, which it reports on a line of its own instead of throwing.
 */
public final class Diagnostics {
    private Diagnostics() {
    }

    /**
     * Prints the diagnostics to standard output.
     *
     * @param args {@code --no-speed} leaves out the speed table; other arguments are ignored
     */
    public static void main(String[] args) {
        System.out.printf("softmax4j diagnostics%n  java %s (%s), %s/%s, %d cpus%n",
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                System.getProperty("os.name"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
        int f = NativeKernel.cpuFeatures();
        boolean arm64 = System.getProperty("os.arch").matches("aarch64|arm64");
        System.out.println("  cpu features (" + (arm64 ? "OS hardware capabilities" : "cpuid + xgetbv") + "): "
                + (f < 0 ? "unknown (no native library)"
                        : arm64 ? "NEON (Advanced SIMD)=" + yes(f, 0x80)
                        : String.format("AVX=%s AVX2=%s FMA=%s AVX512F=%s AVX512DQ=%s OS-YMM=%s OS-ZMM=%s",
                                yes(f, 0x1), yes(f, 0x2), yes(f, 0x4), yes(f, 0x8), yes(f, 0x40), yes(f, 0x10),
                                yes(f, 0x20))));
        // a misconfiguration (-Dsoftmax4j.backend, .maxIsa, .tinyCalls) is reported, not thrown: the listing
        // runs as without it, and the exit status is 1
        String misconfigured = null;
        KernelSelector.Config config;
        try {
            config = KernelSelector.Config.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            misconfigured = e.getMessage();
            config = new KernelSelector.Config(null, null);
            System.out.println("  CONFIGURATION ERROR: " + misconfigured + " (backends listed as without it)");
        }
        System.out.println("  backends:");
        for (Backend b : Backend.values()) {
            String status;
            try {
                KernelSelector.kernel(b, config);
                status = "available";
            } catch (UnsupportedOperationException e) {
                status = "not available: " + e.getMessage();
            }
            System.out.printf("    %-16s %s%n", b, status);
        }
        try {
            Softmax best = Softmax.get();
            System.out.println("  selected: " + KernelSelector.defaultSelection() + " (AUTO -> "
                    + best.algorithmFor(1024) + " at n=1K, " + best.algorithmFor(1 << 24) + " at n=16M)");
            for (Map.Entry<Backend, String> d : KernelSelector.defaultSelection().declined.entrySet()) {
                System.out.println("    declined " + d.getKey() + ": " + d.getValue());
            }
        } catch (IllegalStateException e) { // a forced backend that cannot run, or a bad setting
            misconfigured = misconfigured != null ? misconfigured : e.getMessage();
            System.out.println("  selected: none: " + e.getMessage());
        }
        if (f >= 0) {
            System.out.println("  short native float[] calls: " + NativeKernel.shortArrayCalls());
        }
        Set<Backend> available;
        try {
            available = Softmax.available();
        } catch (IllegalArgumentException e) { // a bad -Dsoftmax4j.maxIsa: no backend runs
            available = Set.of();
        }

        boolean ok = true;
        System.out.println("  self-check (max ULP vs double reference, N(0,1) and U(-100,100), n = 1..65537;"
                + " bound 4 up to 4096, 8 above):");
        for (Backend b : available) {
            StringBuilder line = new StringBuilder(String.format("    %-16s", b));
            for (Algorithm a : Algorithm.values()) {
                double[] worst = selfCheck(Softmax.of(b).with(a));
                ok &= worst[0] <= 4 && worst[1] <= 8; // the documented bounds (docs/NUMERICS.md)
                line.append(String.format(Locale.ROOT, " %s=%.1f", a, Math.max(worst[0], worst[1])));
            }
            System.out.println(line);
        }

        System.out.println("  self-check of the family (logSumExp in ULP of max(|lse|,1), logSoftmax in units of its "
                + "bound, softmax at T = 0.7 and double softmax in ULP, the latter against a plain-double reference good to ~2 ULP):");
        for (Backend b : available) {
            double[] e = opsCheck(Softmax.of(b));
            ok &= e[0] <= 2 && e[1] <= 1 && e[2] <= 4 && e[3] <= 6;
            System.out.printf(Locale.ROOT, "    %-16s logSumExp=%.2f logSoftmax=%.2f temperature=%.1f double=%.1f%n", b,
                    e[0], e[1], e[2], e[3]);
        }

        if (!java.util.Arrays.asList(args).contains("--no-speed")) { // --no-speed: e.g. under an emulator
            printSpeed(available);
        }
        if (!ok) {
            System.out.println("  SELF-CHECK FAILED");
        }
        if (misconfigured != null) { // last, after the self-checks of the backends that could run
            System.out.println("  CONFIGURATION ERROR: " + misconfigured);
        } else if (ok) {
            System.out.println("  OK");
        }
        if (!ok || misconfigured != null) {
            System.exit(1);
        }
    }

    /** The rough speed table: every available backend at four sizes. */
    private static void printSpeed(Set<Backend> available) {
        System.out.println("  rough speed, ns/element (each cell warmed up, 200 ms or, on the Java backends, until its time"
                + " stops improving; then best of 15 runs; quote JMH figures instead):");
        int[] sizes = {1 << 10, 1 << 14, 1 << 18, 1 << 22};
        StringBuilder head = new StringBuilder(String.format("    %-16s", "backend"));
        for (int n : sizes) {
            head.append(String.format("%10s", n >= 1 << 20 ? (n >> 20) + "M" : (n >> 10) + "K"));
        }
        System.out.println(head);
        for (Backend b : available) {
            Softmax s = Softmax.of(b);
            StringBuilder line = new StringBuilder(String.format("    %-16s", b));
            for (int n : sizes) {
                line.append(String.format(Locale.ROOT, "%10.3f", roughNs(s, n, !b.isNative())));
            }
            System.out.println(line);
        }
    }

    private static String yes(int f, int bit) {
        return (f & bit) != 0 ? "yes" : "no";
    }

    /** Largest ULP error over a few sizes and distributions: for n <= 4096 (bound 4) and above (bound 8). */
    private static double[] selfCheck(Softmax s) {
        SplittableRandom r = new SplittableRandom(42);
        double[] worstBySize = new double[2];
        for (int n : new int[] {1, 7, 33, 1000, 4096, 65537}) {
            double worst = worstBySize[n <= 4096 ? 0 : 1];
            for (int dist = 0; dist < 2; dist++) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = dist == 0 ? (float) (r.nextGaussian()) : (float) (r.nextDouble() * 200 - 100);
                }
                float[] y = s.softmax(x);
                double max = Double.NEGATIVE_INFINITY;
                for (float v : x) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (float v : x) {
                    sum += Math.exp(v - max);
                }
                for (int i = 0; i < n; i++) {
                    float ref = (float) (Math.exp(x[i] - max) / sum);
                    double err = ref >= Float.MIN_NORMAL ? Math.abs(y[i] - ref) / Math.ulp(ref)
                            : Math.abs(y[i] - ref) <= Float.MIN_NORMAL ? 0 : Double.POSITIVE_INFINITY;
                    if (!(err <= worst)) {
                        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                    }
                }
            }
            worstBySize[n <= 4096 ? 0 : 1] = worst;
        }
        return worstBySize;
    }

    /** Worst errors of logSumExp, logSoftmax, softmax at T = 0.7 and double softmax over a few inputs. */
    private static double[] opsCheck(Softmax s) {
        SplittableRandom r = new SplittableRandom(7);
        double[] worst = new double[4];
        float scale = 1f / 0.7f;
        Softmax hot = s.withScale(scale);
        for (int n : new int[] {1, 7, 33, 1000, 4096, 65537}) {
            float[] x = new float[n];
            double[] xd = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextGaussian() * 4);
                xd[i] = x[i];
            }
            double lse = referenceLse(x, 1f);
            worst[0] = Math.max(worst[0], Math.abs(s.logSumExp(x) - lse) / Math.ulp((float) Math.max(1, Math.abs(lse))));
            float[] ls = s.logSoftmax(x);
            double lseHot = referenceLse(x, scale);
            float[] p = hot.softmax(x);
            double[] pd = DoubleSoftmax.of(s).softmax(xd);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : xd) {
                max = Math.max(max, v);
            }
            double sum = 0; // Neumaier-compensated: a plain double sum of 65537 terms is ~100 ULP off
            double comp = 0;
            for (double v : xd) {
                double t = Math.exp(v - max);
                double u = sum + t;
                comp += Math.abs(sum) >= Math.abs(t) ? (sum - u) + t : (t - u) + sum;
                sum = u;
            }
            sum += comp;
            for (int i = 0; i < n; i++) {
                double bound = 0x1.0p-23 * (Math.abs(x[i]) + Math.abs(lse)) + 0x1.0p-24;
                worst[1] = Math.max(worst[1], Math.abs(ls[i] - (x[i] - lse)) / bound);
                double ref = Math.exp((double) x[i] * scale - lseHot);
                if (ref >= Float.MIN_NORMAL) {
                    worst[2] = Math.max(worst[2], Math.abs(p[i] - ref) / Math.ulp((float) ref));
                }
                // exp(x - max) / sum: x - max is exact for float inputs, so this plain-double reference is
                // itself within ~2 ULP (the tests use a double-double one and assert 4 ULP)
                double refd = Math.exp(xd[i] - max) / sum;
                if (refd >= Double.MIN_NORMAL) {
                    worst[3] = Math.max(worst[3], Math.abs(pd[i] - refd) / Math.ulp(refd));
                }
            }
        }
        return worst;
    }

    private static double referenceLse(float[] x, float s) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, (double) v * s);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp((double) v * s - max);
        }
        return max + Math.log(sum);
    }

    /** How long a Java backend's cell may take to settle: C2 compiles the Vector API kernels in about 1-2 s. */
    private static final long SETTLE_MAX_NS = 5_000_000_000L;
    /** A Java backend's cell has settled when its best time has not improved by 2% for this long. */
    private static final long SETTLED_NS = 1_000_000_000L;

    /**
     * One cell of the speed table: this very call warmed up, then the best of 15 runs of about 4M elements.
     * The warm-up is 200 ms on the native backends (their Java side is a small call path) and, with jit, lasts
     * until the best time of a run has not improved by 2% for a second (at most 5 s): the Java backends reach
     * their C2 code only after seconds of calls, and 200 ms timed VECTOR's earlier code, 1.25 / 0.63 / 0.68 /
     * 0.82 ns per element at 1K / 16K / 256K / 4M against 0.43 / 0.38 / 0.37 / 0.45 after a 2 s warm-up (JDK 17,
     * Zen 4; README, "Thirty-ninth session").
     */
    private static double roughNs(Softmax s, int n, boolean jit) {
        float[] x = new float[n];
        float[] y = new float[n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int reps = Math.max(1, (1 << 22) / n);
        long start = System.nanoTime();
        long improved = start;
        double settled = Double.POSITIVE_INFINITY;
        while (true) {
            long now = System.nanoTime();
            if (now - start >= 200_000_000L
                    && (!jit || now - improved >= SETTLED_NS || now - start >= SETTLE_MAX_NS)) {
                break;
            }
            double t = run(s, x, y, n, reps);
            if (t < settled * 0.98) {
                settled = t;
                improved = System.nanoTime();
            }
        }
        double best = Double.POSITIVE_INFINITY;
        for (int k = 0; k < 15; k++) {
            best = Math.min(best, run(s, x, y, n, reps));
        }
        return best;
    }

    /** ns per element of reps softmax calls over x. */
    private static double run(Softmax s, float[] x, float[] y, int n, int reps) {
        long t0 = System.nanoTime();
        for (int k = 0; k < reps; k++) {
            s.softmax(x, 0, y, 0, n);
        }
        return (System.nanoTime() - t0) / (double) reps / n;
    }
}
