package io.github.softmax4j;

import java.util.Objects;

/** Argument checks of the facade: everything a kernel relies on, checked before any kernel runs. */
final class Checks {
    private Checks() {
    }

    /**
     * Row r of a strided range occupies [off + r*stride, +cols). Requires rows, cols >= 0 (else
     * IndexOutOfBoundsException, as for any negative length); stride >= cols
     * when rows > 1 (rows must not overlap); the whole span inside [0, length) (with int overflow caught).
     * Returns the span's end (exclusive).
     */
    static long span(String name, int length, int off, int stride, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IndexOutOfBoundsException(name + ": rows " + rows + " and cols " + cols + " must be >= 0");
        }
        if (rows > 1 && stride < cols) {
            throw new IllegalArgumentException(name + " stride " + stride + " < cols " + cols
                    + ": rows would overlap");
        }
        long end = rows == 0 ? off : off + (long) (rows - 1) * stride + cols;
        if (off < 0 || off > length || end > length) {
            throw new IndexOutOfBoundsException(name + ": " + rows + " rows of " + cols + " at offset " + off
                    + " with stride " + stride + " end at " + end + ", outside [0, " + length + ")");
        }
        return end;
    }

    /** x and y spans in one array must be identical (in place) or disjoint. */
    static void aliasing(Object x, int xOff, int xStride, long xEnd, Object y, int yOff, int yStride, long yEnd,
            int rows) {
        if (x != y || xEnd == xOff || yEnd == yOff) {
            return;
        }
        boolean same = xOff == yOff && (xStride == yStride || rows <= 1);
        if (!same && xOff < yEnd && yOff < xEnd) {
            throw new IllegalArgumentException("x[" + xOff + ", " + xEnd + ") and y[" + yOff + ", " + yEnd
                    + ") overlap without being the same rows; use equal offsets and strides for in place");
        }
    }

    /** x and y of one length (whole-array calls). */
    static void sameLength(int xLength, int yLength) {
        if (xLength != yLength) {
            throw new IllegalArgumentException("x.length " + xLength + " != y.length " + yLength);
        }
    }

    static void scale(float s) {
        if (!(s > 0f && s < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("scale (1/temperature) must be positive and finite, not " + s);
        }
    }

    static void label(int label, int n) {
        Objects.checkIndex(label, n);
    }
}
