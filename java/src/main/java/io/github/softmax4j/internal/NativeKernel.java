package io.github.softmax4j.internal;

import java.nio.FloatBuffer;
import java.util.Objects;

import org.bytedeco.javacpp.Pointer;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;

/**
 * The native backend: one instance per ISA tier of the C library ({@code NATIVE_AVX512},
 * {@code NATIVE_AVX2}, {@code NATIVE_PORTABLE}), each passing its tier explicitly to every call. The only
 * class that touches JavaCPP. Declines (throws from the constructor) when the JNI library cannot be loaded
 * or the CPU/OS cannot run the tier.
 */
public final class NativeKernel implements Kernel {
    private static volatile Throwable loadFailure;
    private static volatile boolean loaded;

    private final Backend backend;
    private final int isa;

    public NativeKernel(Backend backend) {
        if (!backend.isNative()) {
            throw new IllegalArgumentException(backend + " is not a native backend");
        }
        this.backend = backend;
        ensureLoaded();
        this.isa = isaOf(backend);
        if (NativeLib.s4j_isa_supported(isa) == 0) {
            throw new UnsupportedOperationException(backend + ": " + missingFeatures(backend));
        }
    }

    /** The tier's number in the C library: the tier of the registry (s4j_tiers.inc) with the backend's name. */
    static int isaOf(Backend backend) {
        for (int isa = 0;; isa++) {
            String name;
            try {
                name = NativeLib.s4j_isa_name(isa);
            } catch (LinkageError e) { // a JNI library from another build (a stale JavaCPP cache) lacks the symbol
                throw new UnsupportedOperationException(backend + ": the native library does not match this jar ("
                        + e + "); clear ~/.javacpp/cache", e);
            }
            if (name == null) {
                throw new UnsupportedOperationException(backend + ": the native library has no tier named "
                        + backend.isa());
            }
            if (name.equals(backend.isa())) {
                return isa;
            }
        }
    }

    /** Loads the JNI library once; later calls rethrow the first failure as a decline reason. */
    static void ensureLoaded() {
        if (loaded) {
            return;
        }
        if (loadFailure != null) {
            throw declined(loadFailure);
        }
        synchronized (NativeKernel.class) {
            if (loaded) {
                return;
            }
            try {
                NativeLib.load();
                loaded = true;
            } catch (Throwable t) { // UnsatisfiedLinkError, SecurityException, missing platform folder...
                loadFailure = t;
                throw declined(t);
            }
        }
    }

    private static UnsupportedOperationException declined(Throwable t) {
        return new UnsupportedOperationException("native library could not be loaded ("
                + t.getClass().getSimpleName() + ": " + t.getMessage() + "); no native code for "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                + " in this jar, or extraction to the JavaCPP cache (~/.javacpp/cache) failed", t);
    }

    /** Whether the JNI library is loaded (attempting the load once). */
    static boolean available() {
        if (loadFailure != null) {
            return false; // without building the exception: direct-buffer calls ask this per address lookup
        }
        try {
            ensureLoaded();
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** The CPU feature bits the C probe (cpuid + xgetbv) reports, or -1 without the native library. */
    public static int cpuFeatures() {
        return available() ? NativeLib.s4j_cpu_features() : -1;
    }

    private static String missingFeatures(Backend backend) {
        int f = NativeLib.s4j_cpu_features();
        if (backend == Backend.NATIVE_NEON) {
            return System.getProperty("os.arch").matches("aarch64|arm64")
                    ? "the OS reports no Advanced SIMD (HWCAP_ASIMD)"
                    : "NEON is an arm64 tier; this is " + System.getProperty("os.arch");
        }
        if (backend == Backend.NATIVE_AVX512) {
            if ((f & 0x8) == 0) {
                return "this CPU lacks AVX-512F";
            }
            if ((f & 0x40) == 0) {
                return "this CPU lacks AVX-512DQ (the tier's clamp is vrangeps; only Xeon Phi has F without DQ)";
            }
            if ((f & 0x20) == 0) {
                return "the OS has not enabled the AVX-512 (opmask/ZMM) register state (XCR0)";
            }
        }
        if ((f & 0x7) != 0x7) {
            return "this CPU lacks AVX2 and FMA";
        }
        if ((f & 0x10) == 0) {
            return "the OS has not enabled the AVX (YMM) register state (XCR0)";
        }
        return "this ISA tier is not compiled into the native library for "
                + System.getProperty("os.arch");
    }

    /**
     * The address of a direct buffer's element 0, or -1 when it cannot be known (before JDK 22 without the
     * native library). Used to detect overlapping and misaligned direct buffers. JDK 22+ reads it from the
     * buffer's memory segment without a native call; before, one JNI call (JNI's GetDirectBufferAddress through
     * JavaCPP, {@link BufferAddress}, ~23 ns; a JavaCPP Pointer per lookup cost ~100 ns, its allocation and
     * release). A buffer call looks each buffer up once and hands the address on (checks, layout, span).
     */
    public static long address(FloatBuffer direct) {
        if (!direct.isDirect()) {
            return -1;
        }
        long a = Span.segmentAddress(direct);
        if (a >= 0 || !available()) {
            return a;
        }
        return BufferAddress.of(direct);
    }

    /** Reaches JavaCPP's static {@code Pointer.getDirectBufferAddress}, which is protected; never instantiated. */
    private static final class BufferAddress extends Pointer {
        private BufferAddress() {
        }

        static long of(FloatBuffer direct) {
            return getDirectBufferAddress(direct);
        }
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public String toString() {
        return backend().toString();
    }

    @Override
    public Algorithm resolve(Algorithm algorithm, int n) {
        return algorithm != Algorithm.AUTO ? algorithm
                : Algorithm.values()[NativeLib.s4j_auto_algorithm(isa, n)];
    }

    @Override
    public void rows(Op op, Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride, float[] y,
            int yOff, int yStride, int rows, int cols, double[] lse, int lseOff) {
        ShortCalls.Entries c = (long) rows * cols <= ShortCalls.MAX_ELEMENTS ? ShortCalls.ENTRIES : ShortCalls.JNI;
        if (rows == 1 && op == Op.SOFTMAX && flags == 0 && s == 1f) { // the common call: C's one-row entry
            check(c.softmax(isa, algorithm.ordinal(), x, xOff, y, yOff, cols));
            return;
        }
        check(c.rows(isa, op.ordinal(), algorithm.ordinal(), flags, s, x, xOff, xStride, written(op, y), yOff,
                yStride, rows, cols, lse(op, flags, lse), lseOff));
    }

    /** Which binding carries the short {@code float[]} row calls (JNI or FFM critical downcalls), and why. */
    public static String shortArrayCalls() {
        return available() ? ShortCalls.describe() : "none (no native library)";
    }

    /*
     * Arrays C does not touch go as null (JavaCPP passes NULL, which the C entries accept where they read
     * nothing): each array pinned for a call costs a GetPrimitiveArrayCritical and its release, ~30 ns of a
     * ~250 ns call on 256 floats (JDK 25, AVX-512; the empty lse array of every softmax call). y is not
     * written by LOG_SUM_EXP, lse only by the ops that return it.
     */
    private static <T> T written(Op op, T y) {
        return op == Op.LOG_SUM_EXP ? null : y;
    }

    private static double[] lse(Op op, int flags, double[] lse) {
        return op.writesLse(flags) ? lse : null;
    }

    // The direct-buffer entries: C reads and writes the buffers' memory in place. Indexes are relative to
    // each buffer's position (JavaCPP adds it to the address); the buffers are direct, in native order and
    // 4-byte aligned ({@link Span#buffers} checks).

    void rows(Op op, Algorithm algorithm, int flags, float s, FloatBuffer x, int xAt, int xStride, FloatBuffer y,
            int yAt, int yStride, int rows, int cols, double[] lse, int lseOff) {
        check(NativeLib.s4j_f32_rows_at(isa, op.ordinal(), algorithm.ordinal(), flags, s, x, xAt, xStride,
                written(op, y), yAt, yStride, rows, cols, lse(op, flags, lse), lseOff));
    }

    @Override
    public void sumExp(float s, float[] x, int off, int n, double[] me) {
        check(NativeLib.s4j_f32_sumexp_at(isa, s, x, off, n, me));
    }

    void sumExp(float s, FloatBuffer x, int at, int n, double[] me) {
        check(NativeLib.s4j_f32_sumexp_at(isa, s, x, at, n, me));
    }

    @Override
    public void finish(Op op, float s, float[] x, int xOff, float[] y, int yOff, int n, double m, double e) {
        check(NativeLib.s4j_f32_finish_at(isa, op.ordinal(), s, x, xOff, y, yOff, n, m, e));
    }

    void finish(Op op, float s, FloatBuffer x, int xAt, FloatBuffer y, int yAt, int n, double m, double e) {
        check(NativeLib.s4j_f32_finish_at(isa, op.ordinal(), s, x, xAt, y, yAt, n, m, e));
    }

    @Override
    public void rowsF64(Op op, Algorithm algorithm, int flags, double s, double[] x, int xOff, int xStride,
            double[] y, int yOff, int yStride, int rows, int cols, double[] lse, int lseOff) {
        check(NativeLib.s4j_f64_rows_at(isa, op.ordinal(), algorithm.ordinal(), flags, s, x, xOff, xStride,
                written(op, y), yOff, yStride, rows, cols, lse(op, flags, lse), lseOff));
    }

    @Override
    public long argmax(float[] x, int off, int n) {
        long[] index = new long[1];
        check(NativeLib.s4j_f32_argmax_at(isa, x, off, n, index));
        return index[0];
    }

    @Override
    public void softmaxArgmax(Algorithm algorithm, int flags, float s, float[] x, int xOff, int xStride, float[] y,
            int yOff, int yStride, int rows, int cols, int[] index, int indexOff) {
        long[] at = new long[rows];
        check(NativeLib.s4j_f32_softmax_argmax_rows_at(isa, algorithm.ordinal(), flags, s, x, xOff, xStride, y, yOff,
                yStride, rows, cols, at, 0));
        for (int r = 0; r < rows; r++) {
            index[indexOff + r] = (int) at[r];
        }
    }

    @Override
    public int select(float[] x, int off, int n, float t, float u, int[] idx, float[] val) {
        Objects.checkFromIndexSize(off, n, x.length);
        if (val != null && val.length < idx.length) { // the kernel stores up to idx.length elements into val
            throw new IllegalArgumentException("val shorter than idx: " + val.length + " < " + idx.length);
        }
        long[] count = new long[1];
        check(NativeLib.s4j_f32_select_at(isa, x, off, n, t, u, idx, val, idx.length, count));
        return (int) count[0];
    }

    @Override
    public double binExp(float[] x, int off, int n, float top, float s, double inv, double[] w, double[] bins) {
        Kernel.checkBinExp(x, off, n, top, s, inv, w, bins); // the kernel writes n weights, bins[..]
        double[] total = new double[1];
        check(NativeLib.s4j_f32_binexp_at(isa, x, off, n, top, s, inv, w, bins, bins.length, total));
        return total[0];
    }

    @Override
    public int walk(float[] x, int off, int n, double[] w, float xc, double target, double[] before) {
        Objects.checkFromIndexSize(off, n, x.length);
        if (w.length < n || before.length == 0) { // the kernel reads n weights and writes before[0]
            throw new IllegalArgumentException("w shorter than n, or no room for before: " + w.length + " < " + n);
        }
        long[] index = new long[1];
        check(NativeLib.s4j_f32_walk_at(isa, x, off, w, n, xc, target, index, before));
        return (int) index[0];
    }

    /** The ISA tier this kernel passes to every C entry point (S4J_ISA_*). */
    int isa() {
        return isa;
    }

    private void check(int rc) {
        if (rc != 0) {
            throw new IllegalStateException("native softmax failed with code " + rc + " on " + backend);
        }
    }
}
