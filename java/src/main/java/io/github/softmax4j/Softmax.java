package io.github.softmax4j;

import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import io.github.softmax4j.internal.Kernel;
import io.github.softmax4j.internal.KernelSelector;
import io.github.softmax4j.internal.NativeKernel;

/**
 * Softmax over float vectors: {@code y[i] = exp(x[i]) / sum_j exp(x[j])}.
 *
 * <pre>{@code
 * Softmax softmax = Softmax.get();            // fastest backend here, Algorithm.AUTO
 * float[] probs = softmax.softmax(logits);    // or softmax(x, y), softmax(x, xOff, y, yOff, n)
 * }</pre>
 *
 * <h2>Backends</h2>
 * {@link #get()} uses the fastest backend this machine can run, chosen once per JVM by CPU probing (cpuid
 * and xgetbv): native AVX-512, native AVX2, the Vector API, portable C, scalar Java
 * ({@link Backend}). {@link #backend()} says which one runs; when it is native, the default instance sends
 * calls with n &le; 64 to the Vector API backend, which is faster there than a JNI call (an instance from
 * {@link #of(Backend)} never does). {@code -Dsoftmax4j.backend=SCALAR} forces a
 * backend, {@code -Dsoftmax4j.maxIsa=avx2} caps the native tier. The Vector API backend needs
 * {@code --add-modules jdk.incubator.vector}; on JDK 22+ pass {@code --enable-native-access=ALL-UNNAMED} to
 * load the native library without a warning.
 *
 * <h2>Values</h2>
 * As PyTorch and ONNX: any NaN gives all outputs NaN; any +Inf gives all NaN; -Inf gives 0 (and the others
 * are the softmax of the rest); all -Inf gives all NaN; n = 0 does nothing. Huge finite inputs are exact
 * ({@code [-Float.MAX_VALUE, Float.MAX_VALUE] -> [0, 1]}, {@code [1e30f, 0] -> [1, 0]}).
 *
 * <h2>Accuracy</h2>
 * Every output that is at least {@link Float#MIN_NORMAL} is within 4 ULP of the exact value rounded to float
 * for n up to 4096, and within 8 ULP for n up to 2^26; smaller outputs are within {@code Float.MIN_NORMAL}.
 * The result of a call does not depend on the thread or on other calls (but may differ between backends
 * and algorithms within those bounds).
 *
 * <h2>Arguments</h2>
 * Inputs are never modified, except by in-place calls ({@code x == y} at equal offsets, or buffers over the
 * same memory at the same position), which are supported. Null arguments throw {@link NullPointerException};
 * offsets and lengths outside the arrays (including int overflow) throw {@link IndexOutOfBoundsException};
 * mismatched lengths and partially overlapping input and output throw {@link IllegalArgumentException}; a
 * read-only output buffer throws {@link ReadOnlyBufferException}. Bad input never reaches native code.
 *
 * <p>Instances are immutable and thread-safe; share them freely.
 */
public final class Softmax {
    private final Kernel kernel;
    private final Algorithm algorithm;

    private Softmax(Kernel kernel, Algorithm algorithm) {
        this.kernel = kernel;
        this.algorithm = algorithm;
    }

    private static final class Default {
        static final Softmax INSTANCE = new Softmax(KernelSelector.defaultSelection().kernel, Algorithm.AUTO);
    }

    /** The fastest backend on this machine, with {@link Algorithm#AUTO}. */
    public static Softmax get() {
        return Default.INSTANCE;
    }

    /**
     * The given backend, with {@link Algorithm#AUTO}.
     *
     * @throws UnsupportedOperationException with the reason, when that backend cannot run here
     */
    public static Softmax of(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        return new Softmax(KernelSelector.kernel(backend, KernelSelector.Config.fromSystemProperties()),
                Algorithm.AUTO);
    }

    /** Every backend that can run on this machine, fastest first by the selection order. */
    public static Set<Backend> available() {
        EnumSet<Backend> set = EnumSet.noneOf(Backend.class);
        set.addAll(KernelSelector.available(KernelSelector.Config.fromSystemProperties()));
        return Collections.unmodifiableSet(set);
    }

    /** The same backend with another algorithm. */
    public Softmax with(Algorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        return algorithm == this.algorithm ? this : new Softmax(kernel, algorithm);
    }

    /** The backend that computes this instance's softmax. */
    public Backend backend() {
        return kernel.backend();
    }

    /** The algorithm this instance was configured with (possibly {@link Algorithm#AUTO}). */
    public Algorithm algorithm() {
        return algorithm;
    }

    /** The algorithm that actually runs for length n (what AUTO resolves to). */
    public Algorithm algorithmFor(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0: " + n);
        }
        return kernel.resolve(algorithm, n);
    }

    /** Returns a new array with the softmax of x. */
    public float[] softmax(float[] x) {
        Objects.requireNonNull(x, "x");
        float[] y = new float[x.length];
        softmax(x, 0, y, 0, x.length);
        return y;
    }

    /**
     * Softmax of all of x into y ({@code x == y} computes in place).
     *
     * @throws IllegalArgumentException if the lengths differ
     */
    public void softmax(float[] x, float[] y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (x.length != y.length) {
            throw new IllegalArgumentException("x.length " + x.length + " != y.length " + y.length);
        }
        softmax(x, 0, y, 0, x.length);
    }

    /**
     * Softmax of {@code x[xOff, xOff+n)} into {@code y[yOff, yOff+n)}. The ranges must be identical (in
     * place) or disjoint.
     */
    public void softmax(float[] x, int xOff, float[] y, int yOff, int n) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        Objects.checkFromIndexSize(xOff, n, x.length);
        Objects.checkFromIndexSize(yOff, n, y.length);
        if (n == 0) {
            return;
        }
        if (x == y && xOff != yOff && overlap(xOff, yOff, n)) {
            throw new IllegalArgumentException("x[" + xOff + ", " + (xOff + n) + ") and y[" + yOff + ", "
                    + (yOff + n) + ") partially overlap; use equal offsets for in place");
        }
        kernel.softmax(algorithm, x, xOff, y, yOff, n);
    }

    /**
     * Softmax of x's remaining elements (position to limit) into y's remaining elements. Heap or direct
     * buffers, any byte order; positions and limits are left unchanged. {@code x} and {@code y} may be the
     * same memory at the same position (in place).
     *
     * @throws ReadOnlyBufferException if y is read-only
     * @throws IllegalArgumentException if the remaining lengths differ or the ranges partially overlap
     */
    public void softmax(FloatBuffer x, FloatBuffer y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (y.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int n = x.remaining();
        if (n != y.remaining()) {
            throw new IllegalArgumentException("x.remaining() " + n + " != y.remaining() " + y.remaining());
        }
        if (n == 0) {
            return;
        }
        int xp = x.position();
        int yp = y.position();
        if (x.hasArray() && y.hasArray()) {
            if (x.array() == y.array()) {
                int xo = x.arrayOffset() + xp;
                int yo = y.arrayOffset() + yp;
                if (xo != yo && overlap(xo, yo, n)) {
                    throw new IllegalArgumentException("x and y partially overlap");
                }
            }
            kernel.softmax(algorithm, x.array(), x.arrayOffset() + xp, y.array(), y.arrayOffset() + yp, n);
        } else if (x.isDirect() && y.isDirect()) {
            long xa = NativeKernel.address(x);
            long ya = NativeKernel.address(y);
            if (xa >= 0 && ya >= 0) {
                long xs = xa + 4L * xp;
                long ys = ya + 4L * yp;
                if (xs != ys && xs < ys + 4L * n && ys < xs + 4L * n) {
                    throw new IllegalArgumentException("x and y partially overlap");
                }
            }
            kernel.softmax(algorithm, x, xp, y, yp, n);
        } else {
            // Mixed heap/direct or a read-only heap input: go through a heap copy of x (these cannot
            // overlap: distinct memory, or a read-only x that cannot be y).
            float[] tmp = new float[n];
            x.get(xp, tmp, 0, n);
            if (y.hasArray()) {
                kernel.softmax(algorithm, tmp, 0, y.array(), y.arrayOffset() + yp, n);
            } else {
                kernel.softmax(algorithm, tmp, 0, tmp, 0, n);
                y.put(yp, tmp, 0, n);
            }
        }
    }

    private static boolean overlap(long a, long b, long n) {
        return a < b + n && b < a + n;
    }

    @Override
    public String toString() {
        return "Softmax[" + backend() + ", " + algorithm + "]";
    }
}
