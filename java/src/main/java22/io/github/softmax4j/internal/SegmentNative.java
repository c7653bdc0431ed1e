package io.github.softmax4j.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;


/**
 * The C kernels on native {@link MemorySegment}s through the FFM API (JDK 22+): {@link Linker} downcalls
 * to the same functions the JNI binding calls, found in the library JavaCPP loaded. Unlike a raw address
 * passed through JNI, a segment passed to a downcall keeps its scope alive until the call returns: a
 * concurrent {@code Arena.close()} from another thread fails with {@link IllegalStateException} instead of
 * freeing memory the kernel is reading (which crashed the JVM). A confined segment can only be passed by
 * its owner thread ({@link WrongThreadException} otherwise). Callers check every argument first, as for
 * the JNI entries: this class passes sizes and offsets on unchanged.
 */
public final class SegmentNative {
    // int s4j_f32_rows_at(int isa, int op, int algorithm, int flags, float s, const float* x, int64_t x_offset,
    //     int64_t x_stride, float* y, int64_t y_offset, int64_t y_stride, int64_t rows, int64_t cols,
    //     double* lse, int64_t lse_offset) (also bound by HeapNative)
    static final FunctionDescriptor ROWS_F32 = FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG);

    /**
     * The segment entries, bound at the first segment call (each binding costs the JVM milliseconds), or
     * null with the reason in FAILURE when the library does not export them (a Windows DLL exported only its
     * JNI functions until softmax4j.h's S4J_API): then {@link #available()} is false and the callers copy. A
     * static initializer that threw would make every later call a NoClassDefFoundError.
     */
    private static final class Handles {
        static final MethodHandle ROWS;
        static final MethodHandle SUMEXP;
        static final MethodHandle FINISH;
        static final RuntimeException FAILURE;

        static {
            MethodHandle rows = null;
            MethodHandle sumExp = null;
            MethodHandle finish = null;
            RuntimeException failure = null;
            try {
                rows = downcall("s4j_f32_rows_at", ROWS_F32);
                // int s4j_f32_sumexp_at(int isa, float s, const float* x, int64_t x_offset, int64_t n, double* me)
                sumExp = downcall("s4j_f32_sumexp_at", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS,
                        JAVA_LONG, JAVA_LONG, ADDRESS));
                // int s4j_f32_finish_at(int isa, int op, float s, const float* x, int64_t x_offset, float* y,
                //     int64_t y_offset, int64_t n, double m, double e)
                finish = downcall("s4j_f32_finish_at", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                        ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, JAVA_DOUBLE));
            } catch (RuntimeException e) {
                failure = e;
            }
            ROWS = rows;
            SUMEXP = sumExp;
            FINISH = finish;
            FAILURE = failure;
        }
    }

    /** Whether the segment entries are bound (else callers take the copying path). */
    public static boolean available() {
        return Handles.FAILURE == null;
    }

    /** A thread no confined scope is owned by: a segment it may access is accessible from any thread. */
    private static final Thread NOT_AN_OWNER = Thread.ofPlatform().unstarted(() -> { });

    /** Whether any thread may access s (heap segments, shared and global arenas): a split may use it. */
    public static boolean shared(MemorySegment s) {
        return s.isAccessibleBy(NOT_AN_OWNER);
    }

    /**
     * The library JavaCPP loaded, for symbol lookups; null with the reason in FAILURE where the lookup is refused
     * (on JDK 22-23 a restricted method called from a module that {@code --enable-native-access} leaves out
     * throws {@code IllegalCallerException}: thrown from this initializer it would poison the class).
     */
    private static final class Library {
        static final RuntimeException FAILURE;
        static final SymbolLookup LOOKUP;

        static {
            SymbolLookup lookup = null;
            RuntimeException failure = null;
            try {
                NativeLib.load();
                // Loader.load returns the file it loaded, or only the library's name where it cannot tell: then
                // the symbols are found among the libraries this class loader loaded (System.load by JavaCPP)
                Path file = Path.of(NativeLib.path());
                lookup = file.isAbsolute() ? SymbolLookup.libraryLookup(file, Arena.global())
                        : SymbolLookup.loaderLookup();
            } catch (RuntimeException | LinkageError e) {
                failure = new IllegalStateException("no symbol lookup in softmax4j's native library: " + e, e);
            }
            LOOKUP = lookup;
            FAILURE = failure;
        }
    }

    /** A downcall handle to the C function {@code name} of the loaded library. */
    static MethodHandle downcall(String name, FunctionDescriptor signature, Linker.Option... options) {
        if (Library.LOOKUP == null) {
            throw Library.FAILURE;
        }
        MemorySegment f = Library.LOOKUP.find(name).orElseThrow(() -> new IllegalStateException(
                "the native library " + NativeLib.path() + " does not export " + name));
        return Linker.nativeLinker().downcallHandle(f, signature, options);
    }

    private SegmentNative() {
    }

    /** The span of x and y (of the same length; y == x for LOG_SUM_EXP) as native memory for nk. */
    public static Span span(NativeKernel nk, MemorySegment x, MemorySegment y, long n, boolean splittable) {
        return span(nk, x, 0, n, y, 0, n, splittable);
    }

    /**
     * Rows of native memory for nk (available() must be true): row r of x at element {@code xOff + r*xStride}
     * of the segment x, of y likewise; every index checked by the caller.
     */
    public static Span span(NativeKernel nk, MemorySegment x, long xOff, long xStride, MemorySegment y, long yOff,
            long yStride, boolean splittable) {
        return new Span() {
            @Override
            void rows(Dispatch d, Op op, int flags, int first, int count, long cols, double[] lse) {
                boolean wantLse = op.writesLse(flags);
                try (Arena arena = wantLse ? Arena.ofConfined() : null) {
                    MemorySegment out = wantLse ? arena.allocate(JAVA_DOUBLE, count) : MemorySegment.NULL;
                    check((int) Handles.ROWS.invokeExact(nk.isa(), op.ordinal(), d.algorithm().ordinal(), flags,
                            d.scale(), x, xOff + first * xStride, xStride, y, yOff + first * yStride, yStride,
                            (long) count, cols, out, 0L), nk);
                    if (wantLse) {
                        MemorySegment.copy(out, JAVA_DOUBLE, 0, lse, first, count);
                    }
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }

            @Override
            void sumExp(Dispatch d, long from, long len, double[] me) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment out = arena.allocate(JAVA_DOUBLE, 2);
                    check((int) Handles.SUMEXP.invokeExact(nk.isa(), d.scale(), x, xOff + from, len, out), nk);
                    me[0] = out.getAtIndex(JAVA_DOUBLE, 0);
                    me[1] = out.getAtIndex(JAVA_DOUBLE, 1);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }

            @Override
            void finish(Dispatch d, Op op, long from, long len, double m, double e) {
                try {
                    check((int) Handles.FINISH.invokeExact(nk.isa(), op.ordinal(), d.scale(), x, xOff + from, y,
                            yOff + from, len, m, e), nk);
                } catch (RuntimeException | Error ex) {
                    throw ex;
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            }

            @Override
            boolean splittable() {
                return splittable;
            }
        };
    }

    private static void check(int rc, NativeKernel k) {
        if (rc != 0) {
            throw new IllegalStateException("native softmax failed with code " + rc + " on " + k.backend());
        }
    }
}
