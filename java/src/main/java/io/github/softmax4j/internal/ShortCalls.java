package io.github.softmax4j.internal;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * The binding that carries {@link NativeKernel}'s short {@code float[]} row calls (softmax, log-softmax,
 * log-sum-exp, temperature, rows; at most {@link #MAX_ELEMENTS} elements; the split two-pass, argmax and
 * selection entries stay on JNI): JNI ({@link NativeLib}, JavaCPP, every JDK) or, on JDK 22+, FFM critical downcalls over heap
 * segments ({@code HeapNative}, in the jar's {@code META-INF/versions/22}), which skip JNI's two thread-state
 * transitions and its array pins: 0.73-0.90x the time of a call of 64-1000 floats through JNI (JMH, JDK 25,
 * README "The cost of a call"). Longer calls always go through JNI: a critical downcall keeps its thread
 * from reaching a safepoint, so every other thread would wait on it for a GC (a JNI pin only holds off the
 * GC), and past a few thousand elements a call's fixed cost is lost in its running time anyway.
 *
 * <p>Opt-in, chosen once: {@code -Dsoftmax4j.arrayCalls=ffm} takes FFM where it adds no JDK warning (JDK 22+
 * with native access enabled for this library's module, by {@code --enable-native-access} or, on JDK 24+, by
 * the JDK itself after the one warning it printed for JNI's load); JNI otherwise and by default. Not the
 * default because its speed depends on the caller: a downcall is fast only when C2 inlines the whole
 * method-handle chain and the heap segments' construction into the compiled caller, and from a call site a
 * dozen frames deep it hits C2's inlining depth limit (MaxInlineLevel), allocates per call and ran up to
 * ~3x slower than JNI in a scratch loop (README "The cost of a call"); binding the downcalls also costs the first
 * call ~0.12-0.17 s, and the first ~10,000 calls run through interpreted method handles at microseconds
 * each. The choice is a static final, so C2 compiles the call path for one binding.
 */
final class ShortCalls {
    /** The two {@code float[]} entries of the C library short calls use; y and lse may be null (C gets NULL). */
    interface Entries {
        int softmax(int isa, int algorithm, float[] x, long xOffset, float[] y, long yOffset, long n);

        int rows(int isa, int op, int algorithm, int flags, float s, float[] x, long xOffset, long xStride,
                float[] y, long yOffset, long yStride, long rows, long cols, double[] lse, long lseOffset);
    }

    /** The most elements of a call the FFM binding carries. */
    static final long MAX_ELEMENTS = 1 << 14;

    static final Entries JNI = new Entries() {
        @Override
        public int softmax(int isa, int algorithm, float[] x, long xOffset, float[] y, long yOffset, long n) {
            return NativeLib.s4j_softmax_f32_at(isa, algorithm, x, xOffset, y, yOffset, n);
        }

        @Override
        public int rows(int isa, int op, int algorithm, int flags, float s, float[] x, long xOffset, long xStride,
                float[] y, long yOffset, long yStride, long rows, long cols, double[] lse, long lseOffset) {
            return NativeLib.s4j_f32_rows_at(isa, op, algorithm, flags, s, x, xOffset, xStride, y, yOffset,
                    yStride, rows, cols, lse, lseOffset);
        }

        @Override
        public String toString() {
            return "JNI";
        }
    };

    /** What {@code -Dsoftmax4j.arrayCalls} asked for, read once: trimmed, lower case, "jni" if unset. */
    private static final String ASKED = System.getProperty("softmax4j.arrayCalls", "jni").trim()
            .toLowerCase(Locale.ROOT);

    /** The binding of every short call. */
    static final Entries ENTRIES = choose();

    private ShortCalls() {
    }

    private static Entries choose() {
        if (!ASKED.equals("ffm") && !ASKED.equals("jni")) {
            // a tuning switch, not a configuration the library cannot run without: say so, keep the default
            KernelSelector.LOG.log(Level.WARNING, "softmax4j: -Dsoftmax4j.arrayCalls={0} ignored: expected ffm or jni",
                    System.getProperty("softmax4j.arrayCalls"));
        }
        if (!ASKED.equals("ffm") || !eligible()) {
            return JNI;
        }
        Entries ffm = ffm();
        return ffm != null ? ffm : JNI;
    }

    /** Whether FFM downcalls can run here without a JDK warning. */
    static boolean eligible() {
        return Runtime.version().feature() >= 22 && NativeLib.nativeAccessEnabled();
    }

    /** The FFM binding (JDK 22+ and a jar built on JDK 22+), or null with the reason logged at DEBUG. */
    static Entries ffm() {
        try {
            return (Entries) Class.forName("io.github.softmax4j.internal.HeapNative").getField("ENTRIES").get(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            KernelSelector.LOG.log(Level.DEBUG, "softmax4j: short array calls stay on JNI: {0}", e.toString());
            return null;
        }
    }

    /** What carries short calls, for the diagnostics. */
    static String describe() {
        if (ENTRIES != JNI) {
            return ENTRIES + " up to " + MAX_ELEMENTS + " elements, JNI beyond";
        }
        return "JNI" + (!ASKED.equals("ffm") ? " (the default; FFM downcalls: "
                + "-Dsoftmax4j.arrayCalls=ffm, JDK 22+)"
                : Runtime.version().feature() < 22 ? " (FFM downcalls need JDK 22+)"
                : !NativeLib.nativeAccessEnabled() ? " (FFM downcalls would need --enable-native-access)"
                : " (no FFM binding: a jar built on JDK 17-21 has none; the DEBUG log says why)");
    }
}
