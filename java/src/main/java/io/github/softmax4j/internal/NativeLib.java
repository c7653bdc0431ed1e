package io.github.softmax4j.internal;

import java.nio.FloatBuffer;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP binding of {@code native/include/softmax4j.h}: only {@code static native} methods, named
 * exactly like the C functions. Nothing here checks arguments; {@link io.github.softmax4j.Softmax} has
 * checked every array, offset and length before a call gets here, and only {@link NativeKernel} calls it.
 *
 * <p>The JNI library (generated glue plus the CMake-built kernels linked in whole) is loaded by
 * {@link #load()}, never by a static initializer, so that a missing or broken library is a declined
 * backend and not an {@link ExceptionInInitializerError}.
 */
@Platform(include = "softmax4j.h")
public final class NativeLib {
    private NativeLib() {
    }

    private static String path;

    /** Loads the JNI library from the jar (JavaCPP extracts it to its cache); throws if it cannot. */
    static synchronized void load() {
        if (path == null) {
            warnIfNoNativeAccess();
            path = Loader.load(NativeLib.class);
        }
    }

    /**
     * JDK 22+ warns (four lines naming JavaCPP's loader, not this library) when a module loads or binds
     * native code without {@code --enable-native-access}: say first, in one line, which flag silences it.
     * {@code System.load} is called by JavaCPP's module and the native methods are declared in this one;
     * on the class path both are the unnamed module.
     */
    private static void warnIfNoNativeAccess() {
        Module loader = Loader.class.getModule();
        Module self = NativeLib.class.getModule();
        if (nativeAccessEnabled(loader) && nativeAccessEnabled(self)) {
            return;
        }
        String flag = loader.isNamed() || self.isNamed()
                ? "--enable-native-access=" + moduleName(loader) + "," + moduleName(self)
                : "--enable-native-access=ALL-UNNAMED";
        KernelSelector.LOG.log(System.Logger.Level.WARNING, "softmax4j: pass " + flag
                + " to java: the JDK warns below when it loads softmax4j's native library without it");
    }

    /** Whether this library's module may call restricted methods without a JDK warning (always before JDK 22). */
    static boolean nativeAccessEnabled() {
        return nativeAccessEnabled(NativeLib.class.getModule());
    }

    private static boolean nativeAccessEnabled(Module m) {
        try {
            return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(m);
        } catch (ReflectiveOperationException e) {
            return true; // JDK < 22: no native-access checks
        }
    }

    private static String moduleName(Module m) {
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }

    /** The file the JNI library was loaded from (the JDK 22+ segment path looks its C symbols up there). */
    static synchronized String path() {
        load();
        return path;
    }

    public static native int s4j_cpu_features();

    public static native int s4j_cpu_max_isa();

    public static native int s4j_isa_supported(int isa);

    /** The tier's name ({@code Backend.isa()}), or null past the last tier. */
    public static native String s4j_isa_name(int isa);

    public static native int s4j_auto_algorithm(int isa, long n);

    /**
     * Heap arrays, pinned without a copy ({@code GetPrimitiveArrayCritical}): the call must not block or
     * call back into the JVM, which the C kernels never do. {@code x == y} (in place) pins the same array
     * twice, which JNI allows.
     */
    @CriticalRegion
    public static native int s4j_softmax_f32_at(int isa, int algorithm, float[] x, long xOffset,
            float[] y, long yOffset, long n);

    /** Direct buffers; offsets are absolute element indexes from the buffer's address. */
    public static native int s4j_softmax_f32_at(int isa, int algorithm, FloatBuffer x, long xOffset,
            FloatBuffer y, long yOffset, long n);

    /** The general entry (ops, rows, scale, flags); arrays pinned as above, {@code lse} too. */
    @CriticalRegion
    public static native int s4j_f32_rows_at(int isa, int op, int algorithm, int flags, float s, float[] x,
            long xOffset, long xStride, float[] y, long yOffset, long yStride, long rows, long cols, double[] lse,
            long lseOffset);

    /** Direct buffers; {@code lse} is a small heap array, copied in and out by JavaCPP. */
    public static native int s4j_f32_rows_at(int isa, int op, int algorithm, int flags, float s, FloatBuffer x,
            long xOffset, long xStride, FloatBuffer y, long yOffset, long yStride, long rows, long cols,
            double[] lse, long lseOffset);

    /** Pass 1 of a split two-pass. */
    @CriticalRegion
    public static native int s4j_f32_sumexp_at(int isa, float s, float[] x, long xOffset, long n, double[] me);

    public static native int s4j_f32_sumexp_at(int isa, float s, FloatBuffer x, long xOffset, long n,
            double[] me);

    /** Pass 2 of a split two-pass. */
    @CriticalRegion
    public static native int s4j_f32_finish_at(int isa, int op, float s, float[] x, long xOffset, float[] y,
            long yOffset, long n, double m, double e);

    public static native int s4j_f32_finish_at(int isa, int op, float s, FloatBuffer x, long xOffset,
            FloatBuffer y, long yOffset, long n, double m, double e);

    /**
     * Double precision: the rows entry of {@link #s4j_f32_rows_at} over doubles (any scale: the product is
     * taken exactly), heap arrays pinned as above.
     */
    @CriticalRegion
    public static native int s4j_f64_rows_at(int isa, int op, int algorithm, int flags, double s, double[] x,
            long xOffset, long xStride, double[] y, long yOffset, long yStride, long rows, long cols, double[] lse,
            long lseOffset);

    /** Softmax of rows with each row's first largest output's index (or -1), heap arrays pinned as above. */
    @CriticalRegion
    public static native int s4j_f32_softmax_argmax_rows_at(int isa, int algorithm, int flags, float s, float[] x,
            long xOffset, long xStride, float[] y, long yOffset, long yStride, long rows, long cols,
            @Cast("int64_t*") long[] index, long indexOffset);

    /** Sampling: the first maximum's index, or -1 - i for the first NaN (heap array pinned as above). */
    @CriticalRegion
    public static native int s4j_f32_argmax_at(int isa, float[] x, long xOffset, long n,
            @Cast("int64_t*") long[] index);

    /**
     * Sampling: indices of t <= x <= u or NaN and their elements (val null: not), at most cap stored, the count
     * into count[0].
     */
    @CriticalRegion
    public static native int s4j_f32_select_at(int isa, float[] x, long xOffset, long n, float t, float u,
            @Cast("int32_t*") int[] idx, float[] val, long cap, @Cast("int64_t*") long[] count);

    /** Sampling: the weights of a flat nucleus into w and added into bins by logit, their sum into total[0]. */
    @CriticalRegion
    public static native int s4j_f32_binexp_at(int isa, float[] x, long xOffset, long n, float top, float s,
            double inv, double[] w, double[] bins, long nbins, double[] total);

    /** Sampling: the draw of a flat nucleus, its index into index[0], the weight before it into before[0]. */
    @CriticalRegion
    public static native int s4j_f32_walk_at(int isa, float[] x, long xOffset, double[] w, long n, float xc,
            double target, @Cast("int64_t*") long[] index, double[] before);
}
