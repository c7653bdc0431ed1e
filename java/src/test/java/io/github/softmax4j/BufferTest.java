package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** FloatBuffer calls: heap, direct, read-only input, both byte orders, misaligned, slices, in place. */
class BufferTest {
    private static final int N = 1037;

    enum Kind { HEAP, HEAP_SLICE, HEAP_READONLY, DIRECT, DIRECT_BIG_ENDIAN, DIRECT_MISALIGNED }

    static FloatBuffer make(Kind k, int n, int misalign) {
        switch (k) {
            case HEAP:
                return FloatBuffer.allocate(n + 5).position(3).limit(n + 3);
            case HEAP_SLICE:
                return FloatBuffer.wrap(new float[n + 9]).position(7).slice().limit(n);
            case HEAP_READONLY:
                return FloatBuffer.allocate(n);
            case DIRECT:
                return ByteBuffer.allocateDirect(4 * n + 8).order(ByteOrder.nativeOrder()).asFloatBuffer()
                        .position(2).limit(n + 2);
            case DIRECT_BIG_ENDIAN:
                return ByteBuffer.allocateDirect(4 * n).asFloatBuffer();
            default:
                return ByteBuffer.allocateDirect(4 * n + 16).position(misalign).slice()
                        .order(ByteOrder.nativeOrder()).asFloatBuffer().limit(n);
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void everyCombination(Backend backend) {
        Softmax s = Backends.require(backend);
        SplittableRandom r = new SplittableRandom(11);
        float[] data = Reference.Dist.UNIFORM_100.fill(new float[N], 0, N, r);
        float[] want = s.softmax(data);
        for (Kind kx : Kind.values()) {
            for (Kind ky : Kind.values()) {
                if (ky == Kind.HEAP_READONLY) {
                    continue;
                }
                for (int mis = 1; mis < (kx == Kind.DIRECT_MISALIGNED || ky == Kind.DIRECT_MISALIGNED ? 16 : 2);
                        mis++) {
                    FloatBuffer x = make(kx, N, mis);
                    for (int i = 0; i < N; i++) {
                        x.put(x.position() + i, data[i]);
                    }
                    if (kx == Kind.HEAP_READONLY) {
                        x = x.asReadOnlyBuffer();
                    }
                    FloatBuffer y = make(ky, N, 16 - mis);
                    int xp = x.position(), xl = x.limit(), yp = y.position(), yl = y.limit();
                    s.softmax(x, y);
                    String c = kx + " -> " + ky + " misalign " + mis;
                    assertEquals(xp, x.position(), c);
                    assertEquals(xl, x.limit(), c);
                    assertEquals(yp, y.position(), c);
                    assertEquals(yl, y.limit(), c);
                    for (int i = 0; i < N; i++) {
                        assertEquals(data[i], x.get(xp + i), "input modified " + c);
                        assertEquals(want[i], y.get(yp + i), "output differs from float[] " + c + " at " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void inPlace(Backend backend) {
        Softmax s = Backends.require(backend);
        float[] data = Reference.Dist.NORMAL.fill(new float[N], 0, N, new SplittableRandom(3));
        float[] want = s.softmax(data);
        for (Kind k : new Kind[] {Kind.HEAP, Kind.HEAP_SLICE, Kind.DIRECT, Kind.DIRECT_BIG_ENDIAN,
                Kind.DIRECT_MISALIGNED}) {
            FloatBuffer b = make(k, N, 3);
            for (int i = 0; i < N; i++) {
                b.put(b.position() + i, data[i]);
            }
            s.softmax(b, b);
            s.softmax(b.duplicate(), b); // same memory, same position, other object: a no-op check below
            float[] again = s.softmax(want);
            for (int i = 0; i < N; i++) {
                assertEquals(again[i], b.get(b.position() + i), k + " in place at " + i);
            }
        }
    }
}
