package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of the facade, for every backend: the documented exception, and the input left as it was. */
class BadInputTest {
    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void arrays(Backend backend) {
        Softmax s = Backends.require(backend);
        float[] x = {1, 2, 3, 4};
        float[] copy = x.clone();
        float[] y = new float[4];
        assertThrows(NullPointerException.class, () -> s.softmax((float[]) null));
        assertThrows(NullPointerException.class, () -> s.softmax(null, y));
        assertThrows(NullPointerException.class, () -> s.softmax(x, (float[]) null));
        assertThrows(NullPointerException.class, () -> s.softmax(null, 0, y, 0, 0));
        assertThrows(NullPointerException.class, () -> s.softmax(x, 0, null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> s.softmax(x, new float[3]));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmax(x, -1, y, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmax(x, 0, y, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmax(x, 0, y, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmax(x, 0, y, 0, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmax(x, 3, y, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmax(x, 0, y, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> s.softmax(x, 5, y, 0, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> s.softmax(x, Integer.MAX_VALUE, y, 0, 2), "offset + n overflows int");
        assertThrows(IndexOutOfBoundsException.class,
                () -> s.softmax(x, 2, y, 0, Integer.MAX_VALUE), "offset + n overflows int");
        assertThrows(IndexOutOfBoundsException.class,
                () -> s.softmax(x, Integer.MIN_VALUE, y, 0, 1));
        // partial overlap of x and y in one array
        float[] z = {1, 2, 3, 4, 5, 6};
        float[] zc = z.clone();
        assertThrows(IllegalArgumentException.class, () -> s.softmax(z, 0, z, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> s.softmax(z, 2, z, 0, 3));
        assertArrayEquals(zc, z);
        // disjoint ranges of one array are fine
        s.softmax(z, 0, z, 3, 3);
        assertArrayEquals(new float[] {1, 2, 3}, java.util.Arrays.copyOf(z, 3));
        assertArrayEquals(copy, x);
    }

    @ParameterizedTest
    @MethodSource("io.github.softmax4j.Backends#all")
    void buffers(Backend backend) {
        Softmax s = Backends.require(backend);
        FloatBuffer x = FloatBuffer.wrap(new float[] {1, 2, 3});
        FloatBuffer y = FloatBuffer.allocate(3);
        assertThrows(NullPointerException.class, () -> s.softmax(null, y));
        assertThrows(NullPointerException.class, () -> s.softmax(x, (FloatBuffer) null));
        assertThrows(ReadOnlyBufferException.class, () -> s.softmax(x, y.asReadOnlyBuffer()));
        FloatBuffer directRo = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder()).asFloatBuffer()
                .asReadOnlyBuffer();
        assertThrows(ReadOnlyBufferException.class, () -> s.softmax(x, directRo));
        assertThrows(IllegalArgumentException.class, () -> s.softmax(x, FloatBuffer.allocate(4)));
        // partial overlap, heap and direct
        float[] a = {1, 2, 3, 4, 5};
        FloatBuffer h1 = FloatBuffer.wrap(a, 0, 4);
        FloatBuffer h2 = FloatBuffer.wrap(a, 1, 4);
        assertThrows(IllegalArgumentException.class, () -> s.softmax(h1, h2));
        FloatBuffer d = ByteBuffer.allocateDirect(40).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < 10; i++) {
            d.put(i, i);
        }
        FloatBuffer d1 = d.duplicate().position(0).limit(6);
        FloatBuffer d2 = d.duplicate().position(3).limit(9);
        if (Softmax.available().stream().anyMatch(Backend::isNative)) {
            assertThrows(IllegalArgumentException.class, () -> s.softmax(d1, d2));
        }
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(new float[] {i}, new float[] {d.get(i)}, "direct input modified");
        }
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, a);
    }
}
