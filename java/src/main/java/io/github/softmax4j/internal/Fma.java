package io.github.softmax4j.internal;

import java.lang.reflect.Method;

/**
 * Fused multiply-add for the Java backends, fast on every CPU. {@link Math#fma} is one instruction where the JVM
 * has the intrinsic (every x86-64 CPU with FMA3, every arm64, ppc64, s390x and riscv64 CPU) and a
 * {@link java.math.BigDecimal} computation where it has not (x86-64 without FMA3: Intel before Haswell, Atom,
 * Pentium and Celeron of the Goldmont and Tremont lines, Apple's Rosetta 2 where it does not translate FMA3
 * (before macOS 15), emulators; or a JVM run with {@code -XX:-UseFMA}): ~10 microseconds per call, which made
 * the scalar backend ~11 us per element and the Vector API backend ~14 us there (measured with
 * {@code -XX:-UseFMA} on a Zen 5). There, {@link #fma}
 * computes the same correctly rounded result in plain double arithmetic instead (round-to-odd; Boldo and
 * Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd", IEEE
 * Trans. Computers 57(4), 2008), so every backend keeps its results bit for bit; and the Vector API backend
 * declines ({@link #HARDWARE}), whose lanewise FMA has no such path.
 */
public final class Fma {
    /** Whether this JVM runs on x86 (32 or 64 bit), where an FMA may be missing (as on 32-bit ARM). */
    public static final boolean X86 = System.getProperty("os.arch", "").matches("amd64|x86_64|x86|i386|i686");

    private static final boolean ARM64 = System.getProperty("os.arch", "").matches("aarch64|arm64");

    /**
     * Whether {@link Math#fma} runs in hardware in this JVM: {@code true} on arm64; elsewhere HotSpot's
     * {@code UseFMA} flag where it can be read (on by default exactly when the CPU has an FMA), else on x86 the
     * native CPU probe's FMA3 bit and {@code true} on the other architectures.
     */
    public static final boolean HARDWARE = probe();

    /** {@code S4J_CPU_FMA | S4J_CPU_OS_YMM} of the native CPU probe (softmax4j.h). */
    private static final int FMA_AND_OS_YMM = 0x4 | 0x10;

    private Fma() {
    }

    /** a * b + c rounded once, as {@link Math#fma(float, float, float)}. */
    public static float fma(float a, float b, float c) {
        return HARDWARE ? Math.fma(a, b, c) : soft(a, b, c);
    }

    /** a * b + c rounded once, as {@link Math#fma(double, double, double)}. */
    public static double fma(double a, double b, double c) {
        return HARDWARE ? Math.fma(a, b, c) : soft(a, b, c);
    }

    /**
     * The float FMA in double arithmetic: a*b is exact in double, a*b + c is rounded to odd (round to nearest,
     * then to the odd neighbour when inexact, which TwoSum tells), and rounding that to float is the correctly
     * rounded a*b + c (53 >= 24 + 2 bits). No overflow or underflow in double is possible for float operands.
     */
    static float soft(float a, float b, float c) {
        double p = (double) a * (double) b;
        return (float) addOdd(p, c);
    }

    /**
     * The double FMA: a*b = uh + ul exactly (Dekker's product with Veltkamp's split), c + uh = th + tl exactly
     * (TwoSum), then RN(th + RO(tl + ul)) (Boldo and Melquiond's algorithm, 2008). Operands where the split or
     * the product's rest could overflow or underflow (|a| or |b| >= 2^995, |a*b| outside [2^-960, 2^1020), |c| >=
     * 2^1020, any non-finite value) go to {@link Math#fma}, which is correct everywhere.
     */
    static double soft(double a, double b, double c) {
        double uh = a * b;
        if (a == 0 || b == 0) {
            return uh + c; // the product is an exact (signed) zero; NaN and infinite c pass through as in Math.fma
        }
        double hu = Math.abs(uh);
        if (!(Math.abs(a) < 0x1p995 && Math.abs(b) < 0x1p995 && hu > 0x1p-960 && hu < 0x1p1020
                && Math.abs(c) < 0x1p1020)) {
            return Math.fma(a, b, c);
        }
        double ah = split(a);
        double al = a - ah;
        double bh = split(b);
        double bl = b - bh;
        double ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl;
        double th = c + uh;
        double z = th - c;
        double tl = (c - (th - z)) + (uh - z);
        return th + addOdd(tl, ul);
    }

    /** The high half of x (26 bits) by Veltkamp's split; x - split(x) is exact and fits 26 bits. */
    private static double split(double x) {
        double t = 0x1.0000002p27 * x; // 2^27 + 1
        return t - (t - x);
    }

    /** x + y rounded to odd: the nearest double, or where x + y is not a double, its neighbour with an odd last bit. */
    static double addOdd(double x, double y) {
        double s = x + y;
        double z = s - x;
        double e = (x - (s - z)) + (y - z); // s + e == x + y exactly (TwoSum)
        if (e != 0 && Double.isFinite(s)) {
            long bits = Double.doubleToRawLongBits(s);
            if ((bits & 1) == 0) {
                // s's neighbour toward x + y: one unit further from zero when e has s's sign, else one nearer
                s = Double.longBitsToDouble(bits + ((e > 0) == (s > 0) ? 1 : -1));
            }
        }
        return s;
    }

    private static boolean probe() {
        if (ARM64) {
            return true; // FMA is part of every arm64 CPU, and HotSpot always uses it there
        }
        // the flag first (~20 ms of JMX start-up, once, and only where a Java kernel is created off arm64; on x86
        // the native tiers normally win): it is what the JVM does, also under -XX:-UseFMA on a CPU with FMA3
        Boolean flag = useFmaFlag();
        if (flag != null) {
            return flag;
        }
        if (!X86) {
            return true; // ppc64le, s390x, riscv64: FMA is baseline (a 32-bit ARM JVM would be the one guess)
        }
        // the CPU's FMA3 bit, counted only where the OS saves the YMM state (what HotSpot requires too); no
        // native library (f < 0): assume the common case, which only costs speed if wrong, never bits
        int f = NativeKernel.cpuFeatures();
        return f < 0 || (f & FMA_AND_OS_YMM) == FMA_AND_OS_YMM;
    }

    /**
     * HotSpot's UseFMA, read through the platform MXBean (reflectively: jdk.management may be absent, as on the
     * module path unless {@code --add-modules jdk.management} is given; then the CPU probe decides), or null.
     * Any failure but the JVM's own errors gives null: this runs in a class initialiser, which must not fail.
     */
    static Boolean useFmaFlag() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Object mx = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, bean);
            if (mx == null) {
                return null;
            }
            Object option = bean.getMethod("getVMOption", String.class).invoke(mx, "UseFMA");
            Method value = Class.forName("com.sun.management.VMOption").getMethod("getValue");
            return Boolean.valueOf((String) value.invoke(option));
        } catch (VirtualMachineError e) {
            throw e; // out of memory or stack: not a question this probe can answer
        } catch (Throwable e) {
            return null; // not HotSpot, no jdk.management module, no such flag, or a failing JMX start-up
        }
    }
}
