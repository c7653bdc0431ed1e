package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input matrix of issue 4: every public entry point ({@code softmax(float[])},
 * {@code softmax(float[], float[])}, the ranged form, {@code softmax(FloatBuffer, FloatBuffer)}) x every
 * backend x every algorithm. Each bad call gets its documented exception and leaves every input (and the
 * output) as it was; each unusual but legal call (heap slices with a non-zero array offset, direct buffers at
 * every byte misalignment, big-endian, exact aliasing) gives exactly the result of the plain float[] call.
 */
class BadInputMatrixTest {
    private static final int N = 67; // two AVX2 main loops (u32) plus a 3-element tail

    private static float[] data(long seed, int n) {
        return Reference.Dist.UNIFORM_100.fill(new float[n], 0, n, new SplittableRandom(seed));
    }

    /** Runs call, expects ex, and checks that the arrays were not modified. */
    private static void rejects(Class<? extends Throwable> ex, Executable call, String what, float[]... untouched) {
        float[][] copies = new float[untouched.length][];
        for (int i = 0; i < untouched.length; i++) {
            copies[i] = untouched[i] == null ? null : untouched[i].clone();
        }
        assertThrows(ex, call, what);
        for (int i = 0; i < untouched.length; i++) {
            assertArrayEquals(copies[i], untouched[i], what + ": argument " + i + " modified by a rejected call");
        }
    }

    private static float[] contents(FloatBuffer b) {
        FloatBuffer all = b.duplicate().clear(); // absolute get() stops at the limit, not the capacity
        float[] out = new float[all.limit()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    /** Runs a buffer call that must throw ex, and checks the buffers' contents, positions and limits. */
    private static void rejectsBuf(Class<? extends Throwable> ex, Executable call, String what, FloatBuffer... bufs) {
        float[][] before = new float[bufs.length][];
        int[] pos = new int[bufs.length];
        int[] lim = new int[bufs.length];
        for (int i = 0; i < bufs.length; i++) {
            before[i] = contents(bufs[i]);
            pos[i] = bufs[i].position();
            lim[i] = bufs[i].limit();
        }
        assertThrows(ex, call, what);
        for (int i = 0; i < bufs.length; i++) {
            assertArrayEquals(before[i], contents(bufs[i]), what + ": buffer " + i + " modified by a rejected call");
            assertEquals(pos[i], bufs[i].position(), what + ": position " + i);
            assertEquals(lim[i], bufs[i].limit(), what + ": limit " + i);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.github.softmax4j.Backends#allWithAlgorithms")
    void arrayEntryPoints(Backend backend, Algorithm algorithm) {
        Softmax s = Backends.require(backend).with(algorithm);
        float[] x = data(1, N);
        float[] y = new float[N];
        // nulls, every position, also with n = 0 (the null check comes first)
        rejects(NullPointerException.class, () -> s.softmax((float[]) null), "softmax(null)", new float[0][]);
        rejects(NullPointerException.class, () -> s.softmax(null, y), "softmax(null, y)", y);
        rejects(NullPointerException.class, () -> s.softmax(x, (float[]) null), "softmax(x, null)", x);
        rejects(NullPointerException.class, () -> s.softmax((float[]) null, (float[]) null), "softmax(null, null)", new float[0][]);
        for (int n : new int[] {0, 1, N}) {
            rejects(NullPointerException.class, () -> s.softmax(null, 0, y, 0, n), "ranged null x n=" + n, y);
            rejects(NullPointerException.class, () -> s.softmax(x, 0, null, 0, n), "ranged null y n=" + n, x);
        }
        // mismatched lengths
        rejects(IllegalArgumentException.class, () -> s.softmax(x, new float[N - 1]), "y shorter", x);
        rejects(IllegalArgumentException.class, () -> s.softmax(x, new float[N + 1]), "y longer", x);
        rejects(IllegalArgumentException.class, () -> s.softmax(new float[0], y), "x empty, y not", y);
        // negative, overflowing and out-of-range offsets and lengths
        int[][] badRanges = {
            {-1, 0, 1}, {0, -1, 1}, {0, 0, -1}, {Integer.MIN_VALUE, 0, 1}, {0, Integer.MIN_VALUE, 1},
            {0, 0, Integer.MIN_VALUE}, {0, 0, N + 1}, {1, 0, N}, {0, 1, N}, {N + 1, 0, 0}, {0, N + 1, 0},
            {N, 0, 1}, {0, N, 1},
            // off + n > Integer.MAX_VALUE: must not wrap around into a "valid" range
            {Integer.MAX_VALUE, 0, 1}, {0, Integer.MAX_VALUE, 1}, {1, 0, Integer.MAX_VALUE},
            {0, 1, Integer.MAX_VALUE}, {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE},
            {N / 2, 0, Integer.MAX_VALUE - N / 2 + 1}, {Integer.MAX_VALUE - 1, 0, 2},
        };
        for (int[] r : badRanges) {
            String what = "x[" + r[0] + "], y[" + r[1] + "], n=" + r[2];
            rejects(IndexOutOfBoundsException.class, () -> s.softmax(x, r[0], y, r[1], r[2]), what, x, y);
            rejects(IndexOutOfBoundsException.class, () -> s.softmax(x, r[0], x, r[1], r[2]), what + " (x == y)", x);
        }
        // partial aliasing in one array: every shift of a 20-element range inside 40 elements
        float[] z = data(2, 40);
        for (int a = 0; a <= 20; a += 5) {
            for (int b = 0; b <= 20; b++) {
                if (a != b && Math.abs(a - b) < 20) {
                    int fa = a, fb = b;
                    rejects(IllegalArgumentException.class, () -> s.softmax(z, fa, z, fb, 20),
                            "partial overlap x[" + a + "] y[" + b + "]", z);
                }
            }
        }
        // the legal edge cases give exactly the result of softmax(float[])
        float[] want = s.softmax(x);
        assertArrayEquals(data(1, N), x, "softmax(x) modified x");
        float[] inPlace = x.clone();
        s.softmax(inPlace, inPlace);
        assertArrayEquals(want, inPlace, "softmax(x, x) in place");
        float[] big = new float[N + 10];
        System.arraycopy(x, 0, big, 5, N);
        s.softmax(big, 5, big, 5, N);
        assertArrayEquals(want, java.util.Arrays.copyOfRange(big, 5, 5 + N), "ranged in place at offset 5");
        float[] two = new float[2 * N];
        System.arraycopy(x, 0, two, 0, N);
        s.softmax(two, 0, two, N, N); // adjacent, disjoint
        assertArrayEquals(x, java.util.Arrays.copyOf(two, N), "adjacent ranges: input modified");
        assertArrayEquals(want, java.util.Arrays.copyOfRange(two, N, 2 * N), "adjacent ranges");
        float[] yOff = new float[N + 3];
        s.softmax(x, 0, yOff, 3, N);
        assertArrayEquals(want, java.util.Arrays.copyOfRange(yOff, 3, N + 3), "output at offset 3");
        s.softmax(x, N, y, N, 0); // n = 0 at the very end: a no-op
        s.softmax(new float[0], new float[0]);
        assertArrayEquals(data(1, N), x, "input modified");
    }

    /** How a FloatBuffer of n elements over some memory is made. */
    interface Maker {
        FloatBuffer make(float[] contents);
    }

    /** Every legal buffer shape: heap, heap slices at a non-zero array offset, direct at every alignment. */
    static List<Object[]> bufferShapes() {
        List<Object[]> shapes = new ArrayList<>();
        shapes.add(new Object[] {"heap", (Maker) c -> FloatBuffer.wrap(c.clone())});
        shapes.add(new Object[] {"heap wrap(arr, 3, n)", (Maker) c -> {
            float[] a = new float[c.length + 7];
            System.arraycopy(c, 0, a, 3, c.length);
            return FloatBuffer.wrap(a, 3, c.length);
        }});
        for (int k : new int[] {1, 2, 5}) {
            shapes.add(new Object[] {"heap slice arrayOffset " + k, (Maker) c -> {
                float[] a = new float[c.length + k + 4];
                System.arraycopy(c, 0, a, k, c.length);
                FloatBuffer b = FloatBuffer.wrap(a).position(k).slice().limit(c.length);
                assertEquals(k, b.arrayOffset());
                return b;
            }});
        }
        shapes.add(new Object[] {"heap slice of slice, position 2", (Maker) c -> {
            float[] a = new float[c.length + 9];
            System.arraycopy(c, 0, a, 6, c.length);
            FloatBuffer b = FloatBuffer.wrap(a).position(4).slice().position(2).limit(2 + c.length);
            assertEquals(4, b.arrayOffset());
            return b;
        }});
        for (int k = 0; k < 16; k++) {
            int fk = k;
            shapes.add(new Object[] {"direct native-order byte offset " + k, (Maker) c -> {
                FloatBuffer b = ByteBuffer.allocateDirect(4 * c.length + 16).position(fk).slice()
                        .order(ByteOrder.nativeOrder()).asFloatBuffer().limit(c.length);
                b.put(c).clear().limit(c.length);
                return b;
            }});
            shapes.add(new Object[] {"direct big-endian byte offset " + k, (Maker) c -> {
                FloatBuffer b = ByteBuffer.allocateDirect(4 * c.length + 16).position(fk).slice()
                        .order(ByteOrder.BIG_ENDIAN).asFloatBuffer().limit(c.length);
                b.put(c).clear().limit(c.length);
                return b;
            }});
        }
        shapes.add(new Object[] {"direct at position 3", (Maker) c -> {
            FloatBuffer b = ByteBuffer.allocateDirect(4 * c.length + 32).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            b.position(3).limit(3 + c.length);
            for (int i = 0; i < c.length; i++) {
                b.put(3 + i, c[i]);
            }
            return b;
        }});
        return shapes;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void bufferShapesInAndOut(Backend backend) {
        Softmax base = Backends.require(backend);
        List<Object[]> shapes = bufferShapes();
        float[] x = data(3, N);
        for (Algorithm algorithm : Algorithm.values()) {
            Softmax s = base.with(algorithm);
            float[] want = s.softmax(x);
            for (Object[] in : shapes) {
                for (Object[] out : shapes) {
                    String what = algorithm + ": " + in[0] + " -> " + out[0];
                    FloatBuffer xb = ((Maker) in[1]).make(x);
                    FloatBuffer yb = ((Maker) out[1]).make(new float[N]);
                    checkCall(s, xb, yb, x, want, what);
                    // the same with a read-only input (never reaches a native heap-buffer path)
                    checkCall(s, ((Maker) in[1]).make(x).asReadOnlyBuffer(), ((Maker) out[1]).make(new float[N]),
                            x, want, what + " (read-only input)");
                }
                // exact aliasing: the same buffer, a duplicate, and a slice at the same position
                String what = algorithm + ": in place " + in[0];
                FloatBuffer b = ((Maker) in[1]).make(x);
                s.softmax(b, b);
                assertEquals(N, b.remaining());
                assertContents(want, b, what + " (same object)");
                FloatBuffer b2 = ((Maker) in[1]).make(x);
                s.softmax(b2, b2.duplicate());
                assertContents(want, b2, what + " (duplicate)");
                FloatBuffer b3 = ((Maker) in[1]).make(x);
                s.softmax(b3.slice(), b3);
                assertContents(want, b3, what + " (slice)");
            }
        }
    }

    private static void checkCall(Softmax s, FloatBuffer xb, FloatBuffer yb, float[] x, float[] want, String what) {
        int xp = xb.position(), xl = xb.limit(), yp = yb.position(), yl = yb.limit();
        s.softmax(xb, yb);
        assertEquals(xp, xb.position(), what);
        assertEquals(xl, xb.limit(), what);
        assertEquals(yp, yb.position(), what);
        assertEquals(yl, yb.limit(), what);
        assertContents(x, xb, what + ": input modified");
        assertContents(want, yb, what);
    }

    private static void assertContents(float[] want, FloatBuffer b, String what) {
        for (int i = 0; i < want.length; i++) {
            float v = b.get(b.position() + i);
            if (Float.floatToIntBits(v) != Float.floatToIntBits(want[i])) {
                assertEquals(want[i], v, what + " at " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void badBufferCalls(Backend backend) {
        Softmax base = Backends.require(backend);
        for (Algorithm algorithm : Algorithm.values()) {
            Softmax s = base.with(algorithm);
            float[] x = data(4, N);
            for (Object[] shape : bufferShapes()) {
                String what = algorithm + " " + shape[0];
                Maker m = (Maker) shape[1];
                FloatBuffer xb = m.make(x);
                FloatBuffer yb = m.make(new float[N]);
                rejectsBuf(NullPointerException.class, () -> s.softmax(null, yb), what + ": null x", yb);
                rejectsBuf(NullPointerException.class, () -> s.softmax(xb, (FloatBuffer) null), what + ": null y", xb);
                rejectsBuf(NullPointerException.class, () -> s.softmax((FloatBuffer) null, (FloatBuffer) null), what, new FloatBuffer[0]);
                // read-only outputs, heap and direct, also when empty and when it is the input itself
                rejectsBuf(ReadOnlyBufferException.class, () -> s.softmax(xb, yb.asReadOnlyBuffer()),
                        what + ": read-only output", xb, yb);
                rejectsBuf(ReadOnlyBufferException.class, () -> s.softmax(xb, xb.asReadOnlyBuffer()),
                        what + ": read-only view of x as output", xb);
                FloatBuffer emptyRo = yb.duplicate().limit(yb.position()).asReadOnlyBuffer();
                rejectsBuf(ReadOnlyBufferException.class, () -> s.softmax(xb.duplicate().limit(xb.position()), emptyRo),
                        what + ": empty read-only output", xb);
                // mismatched remaining()
                FloatBuffer shortY = m.make(new float[N - 1]);
                FloatBuffer longY = m.make(new float[N + 1]);
                rejectsBuf(IllegalArgumentException.class, () -> s.softmax(xb, shortY), what + ": y shorter", xb, shortY);
                rejectsBuf(IllegalArgumentException.class, () -> s.softmax(xb, longY), what + ": y longer", xb, longY);
                rejectsBuf(IllegalArgumentException.class, () -> s.softmax(FloatBuffer.allocate(0), yb),
                        what + ": x empty", yb);
                assertContents(x, xb, what + ": input modified");
            }
            // read-only direct output of every flavour
            for (ByteOrder order : new ByteOrder[] {ByteOrder.nativeOrder(), ByteOrder.BIG_ENDIAN}) {
                for (int k = 0; k < 4; k++) {
                    FloatBuffer ro = ByteBuffer.allocateDirect(4 * N + 4).position(k).slice().order(order)
                            .asFloatBuffer().limit(N).asReadOnlyBuffer();
                    FloatBuffer xb = FloatBuffer.wrap(x.clone());
                    rejectsBuf(ReadOnlyBufferException.class, () -> s.softmax(xb, ro),
                            algorithm + ": read-only direct " + order + " +" + k, xb, ro);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void partialBufferAliasing(Backend backend) {
        Softmax base = Backends.require(backend);
        boolean nativeLib = Softmax.available().stream().anyMatch(Backend::isNative);
        for (Algorithm algorithm : Algorithm.values()) {
            Softmax s = base.with(algorithm);
            float[] x = data(5, 40);
            // heap: two views of one array, by position and by slice (different arrayOffset)
            for (int shift = 1; shift < 20; shift += 3) {
                float[] a = x.clone();
                int fs = shift;
                FloatBuffer whole = FloatBuffer.wrap(a);
                rejectsBuf(IllegalArgumentException.class,
                        () -> s.softmax(whole.duplicate().position(0).limit(20),
                                whole.duplicate().position(fs).limit(fs + 20)),
                        algorithm + ": heap overlap +" + shift, whole);
                rejectsBuf(IllegalArgumentException.class,
                        () -> s.softmax(whole.duplicate().position(fs).slice().limit(20),
                                whole.duplicate().position(0).limit(20)),
                        algorithm + ": heap slice overlap -" + shift, whole);
            }
            // direct: native order at 4-byte steps and every byte misalignment; big-endian too
            if (!nativeLib) {
                System.out.println("!!! direct partial-overlap checks need the native library (addresses): skipped");
                continue;
            }
            for (ByteOrder order : new ByteOrder[] {ByteOrder.nativeOrder(), ByteOrder.BIG_ENDIAN}) {
                ByteBuffer bytes = ByteBuffer.allocateDirect(4 * 40 + 16);
                FloatBuffer fx = bytes.duplicate().order(order).asFloatBuffer();
                fx.put(x).clear();
                for (int byteShift = 1; byteShift < 80; byteShift += byteShift < 16 ? 1 : 9) {
                    ByteBuffer yb = bytes.duplicate().position(byteShift).slice().order(order);
                    FloatBuffer fy = yb.asFloatBuffer().limit(20);
                    FloatBuffer fxs = fx.duplicate().limit(20);
                    String what = algorithm + ": direct " + order + " overlap by byte shift " + byteShift;
                    rejectsBuf(IllegalArgumentException.class, () -> s.softmax(fxs, fy), what, fx);
                    rejectsBuf(IllegalArgumentException.class, () -> s.softmax(fy, fxs), what + " (swapped)", fx);
                }
            }
            // read-only heap view of the same array as the output: goes through a heap copy of x, so it
            // either is rejected as overlapping or computes the softmax of the original x; never garbage
            float[] a = x.clone();
            FloatBuffer ro = FloatBuffer.wrap(a).position(0).limit(20).asReadOnlyBuffer();
            FloatBuffer w = FloatBuffer.wrap(a).position(5).limit(25);
            float[] want = s.softmax(java.util.Arrays.copyOf(x, 20));
            try {
                s.softmax(ro, w);
                assertContents(want, w, algorithm + ": read-only heap x overlapping y");
            } catch (IllegalArgumentException e) {
                assertArrayEquals(x, a, "rejected call modified the array");
            }
        }
    }

    /** Bad arguments never reach native code: the JVM is still alive and the backend still correct. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.softmax4j.Backends#all")
    void stillHealthyAfterwards(Backend backend) {
        Softmax s = Backends.require(backend);
        Supplier<float[]> in = () -> data(6, 1001);
        float[] y = s.softmax(in.get());
        float[] ref = Reference.softmax(in.get(), 0, 1001);
        assertTrue(Reference.maxUlp(ref, y, 0) <= 4, "backend " + backend + " after the bad-input matrix");
    }
}
