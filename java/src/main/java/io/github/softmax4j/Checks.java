package io.github.softmax4j;

import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

import io.github.softmax4j.internal.NativeKernel;

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

    /**
     * x and y rows in one array must be identical (in place) or disjoint: either their spans do not overlap, or
     * the rows interleave without sharing an element (equal strides, each y row between two x rows: logits in
     * the left part of each row, probabilities in the right part).
     */
    static void aliasing(Object x, int xOff, int xStride, long xEnd, Object y, int yOff, int yStride, long yEnd,
            int rows, int cols) {
        if (x != y || xEnd == xOff || yEnd == yOff) {
            return;
        }
        boolean same = xOff == yOff && (xStride == yStride || rows <= 1);
        if (!same && xOff < yEnd && yOff < xEnd && !interleaved(yOff - (long) xOff, xStride, yStride, rows, cols)) {
            throw new IllegalArgumentException("x[" + xOff + ", " + xEnd + ") and y[" + yOff + ", " + yEnd
                    + ") overlap without being the same rows; use equal offsets and strides for in place");
        }
    }

    /**
     * Whether rows of x and of y, at distance {@code d} (y's first element minus x's, in elements) with these
     * strides, share no element: with one stride S, every y row starts d + kS from an x row's start, so none
     * overlaps when d mod S lies in [cols, S - cols].
     */
    private static boolean interleaved(long d, int xStride, int yStride, int rows, int cols) {
        if (rows <= 1 || xStride != yStride) {
            return false;
        }
        long m = Math.floorMod(d, (long) xStride);
        return m >= cols && m <= xStride - (long) cols;
    }

    /**
     * The checks of rows between two arrays of one element type (given with their lengths, both non-null):
     * each span inside its array, and in-place or disjoint when x and y are one array. Returns false when
     * there is nothing to compute (no row or no column).
     */
    static boolean rows(Object x, int xLength, int xOff, int xStride, Object y, int yLength, int yOff,
            int yStride, int rows, int cols) {
        long xEnd = span("x", xLength, xOff, xStride, rows, cols);
        long yEnd = span("y", yLength, yOff, yStride, rows, cols);
        aliasing(x, xOff, xStride, xEnd, y, yOff, yStride, yEnd, rows, cols);
        return rows != 0 && cols != 0;
    }

    /**
     * The checks of rows between buffers (indexes relative to the positions, both non-null): y writable when
     * the op writes it, each span inside its buffer's remaining elements, and in-place or disjoint when x and
     * y are the same array or the same native memory. Returns false when there is nothing to compute.
     * {@code xAddress} and {@code yAddress}: the buffers' {@link NativeKernel#address}, looked up once per call
     * by the caller (a JNI call each before JDK 22).
     */
    static boolean rows(FloatBuffer x, long xAddress, int xStride, FloatBuffer y, long yAddress, int yStride,
            int rows, int cols, boolean writes) {
        if (writes && y.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        long xEnd = span("x", x.remaining(), 0, xStride, rows, cols);
        if (!writes) {
            return rows != 0 && cols != 0;
        }
        long yEnd = span("y", y.remaining(), 0, yStride, rows, cols);
        if (rows == 0 || cols == 0) {
            return false;
        }
        if (x.hasArray() && y.hasArray()) {
            int xo = x.arrayOffset() + x.position();
            int yo = y.arrayOffset() + y.position();
            aliasing(x.array(), xo, xStride, xo + xEnd, y.array(), yo, yStride, yo + yEnd, rows, cols);
        } else if (x.isDirect() && y.isDirect()) {
            if (xAddress >= 0 && yAddress >= 0) {
                long xs = xAddress + 4L * x.position();
                long ys = yAddress + 4L * y.position();
                boolean same = xs == ys && (xStride == yStride || rows == 1);
                boolean apart = (ys - xs) % 4 == 0 && interleaved((ys - xs) / 4, xStride, yStride, rows, cols);
                if (!same && xs < ys + 4L * yEnd && ys < xs + 4L * xEnd && !apart) {
                    throw new IllegalArgumentException("x and y overlap without being the same rows");
                }
            }
        }
        return true;
    }

    /** The number of rows of a dense matrix of {@code length} elements (the argument named name) in rows of cols. */
    static int denseRows(String name, int length, int cols) {
        if (cols <= 0 || length % cols != 0) {
            throw new IllegalArgumentException(name + ".length " + length + " is not a positive multiple of cols "
                    + cols);
        }
        return length / cols;
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
