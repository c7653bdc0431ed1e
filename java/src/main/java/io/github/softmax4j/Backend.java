package io.github.softmax4j;

/**
 * The technology that computes the softmax. {@link Softmax#get()} picks the fastest one this machine can
 * run; {@link Softmax#of(Backend)} asks for one; {@link Softmax#available()} lists those that can run here.
 *
 * <p>The constants are declared in the automatic selection's order of preference. Selection can be forced with
 * {@code -Dsoftmax4j.backend=NAME} (a constant name, case-insensitive) and the native tier capped with
 * {@code -Dsoftmax4j.maxIsa=avx2} (or {@code neon}, {@code portable}): the named tier and the native tiers
 * declared after it stay allowed.
 */
public enum Backend {
    /** C kernels with AVX-512F intrinsics (x86-64; CPU and OS must support the ZMM state). */
    NATIVE_AVX512("native", "avx512"),
    /** C kernels with AVX2 + FMA intrinsics (x86-64; CPU and OS must support the YMM state). */
    NATIVE_AVX2("native", "avx2"),
    /**
     * C kernels with AArch64 Advanced SIMD (NEON) intrinsics (arm64: Linux, macOS, Windows; baseline on every
     * arm64 CPU). The same exponential as {@link #NATIVE_AVX2}.
     */
    NATIVE_NEON("native", "neon"),
    /**
     * Pure Java with the incubating Vector API ({@code jdk.incubator.vector}); needs
     * {@code --add-modules jdk.incubator.vector} on the command line.
     */
    VECTOR("vector", null),
    /**
     * The portable C tier of the native library (plain C, any CPU the library was built for). Chosen only
     * when neither a vector native tier nor the Vector API can run.
     */
    NATIVE_PORTABLE("native", "portable"),
    /** Plain scalar Java: runs everywhere; the floor. */
    SCALAR("scalar", null);

    private final String technology;
    private final String isa;

    Backend(String technology, String isa) {
        this.technology = technology;
        this.isa = isa;
    }

    /**
     * {@code true} for the backends that call the JNI library.
     *
     * @return {@code true} for the {@code NATIVE_*} constants, {@code false} for {@link #VECTOR} and {@link #SCALAR}
     */
    public boolean isNative() {
        return "native".equals(technology);
    }

    /**
     * The native ISA tier name ({@code avx512}, {@code avx2}, {@code neon}, {@code portable}), or {@code null}.
     *
     * @return the tier name, or {@code null} for the Java backends
     */
    public String isa() {
        return isa;
    }
}
