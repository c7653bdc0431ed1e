package io.github.softmax4j.internal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import io.github.softmax4j.Backend;

/**
 * The one place that decides which backend runs. Order: the backend forced by
 * {@code -Dsoftmax4j.backend}; else the best native tier that the CPU probe (cpuid + xgetbv) and the
 * {@code -Dsoftmax4j.maxIsa} cap allow; else the Vector API; else the portable C tier; else scalar Java.
 * A candidate that declines for a reason the user can fix (a missing JVM flag, a native library that
 * could not be loaded) or fails unexpectedly is logged once at WARNING; the expected declines and the winner
 * at DEBUG.
 *
 * <p>{@link #select(Config)} depends only on its argument and on what the machine can run, so tests
 * can call it with a configuration of their own; {@link #defaultSelection()} caches the result for the
 * system properties in a static holder.
 */
public final class KernelSelector {
    static final System.Logger LOG = System.getLogger("io.github.softmax4j");

    /** The native tiers' names ({@code -Dsoftmax4j.maxIsa} takes one), in the order of {@link Backend}. */
    static final List<String> TIERS = Arrays.stream(Backend.values()).map(Backend::isa).filter(Objects::nonNull)
            .collect(Collectors.toUnmodifiableList());

    /** Preference order of the automatic selection: {@link Backend}'s declaration order. */
    static final List<Backend> ORDER = List.of(Backend.values());

    private static final Map<Backend, Object> CACHE = new EnumMap<>(Backend.class);

    private KernelSelector() {
    }

    /** What selection reads from the environment. */
    public static final class Config {
        final Backend forced;
        final String maxIsa;
        /** Whether a native winner sends tiny calls to the Vector API kernel ({@code -Dsoftmax4j.tinyCalls}). */
        final boolean tinyCallsVector;

        public Config(Backend forced, String maxIsa) {
            this(forced, maxIsa, false);
        }

        public Config(Backend forced, String maxIsa, boolean tinyCallsVector) {
            this.forced = forced;
            this.tinyCallsVector = tinyCallsVector;
            this.maxIsa = maxIsa == null ? null : maxIsa.trim().toLowerCase(Locale.ROOT);
            if (this.maxIsa != null && !TIERS.contains(this.maxIsa)) {
                throw new IllegalArgumentException("softmax4j.maxIsa must be one of " + String.join(", ", TIERS)
                        + ", not '" + maxIsa + "'");
            }
        }

        /**
         * The cap alone, from {@code -Dsoftmax4j.maxIsa}: what {@code Softmax.of(backend)} and
         * {@code available()} need (a bad {@code -Dsoftmax4j.backend} does not concern them).
         */
        public static Config capFromSystemProperties() {
            String cap = System.getProperty("softmax4j.maxIsa");
            return new Config(null, cap == null || cap.isBlank() ? null : cap);
        }

        /** From {@code -Dsoftmax4j.backend}, {@code -Dsoftmax4j.maxIsa} and {@code -Dsoftmax4j.tinyCalls}. */
        public static Config fromSystemProperties() {
            String tiny = System.getProperty("softmax4j.tinyCalls");
            String t = tiny == null ? "" : tiny.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty() && !t.equals("native") && !t.equals("vector")) {
                throw new IllegalArgumentException("-Dsoftmax4j.tinyCalls must be native or vector, not '" + tiny
                        + "'");
            }
            String b = System.getProperty("softmax4j.backend");
            Backend forced = null;
            if (b != null && !b.isBlank()) {
                try {
                    forced = Backend.valueOf(b.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("-Dsoftmax4j.backend=" + b + " is not one of "
                            + java.util.Arrays.toString(Backend.values()), e);
                }
            }
            String cap = System.getProperty("softmax4j.maxIsa");
            return new Config(forced, cap == null || cap.isBlank() ? null : cap, t.equals("vector"));
        }

        /**
         * Whether the native tier of this backend is above the cap: declared before the cap's tier in
         * {@link Backend} (AVX-512, AVX2, NEON, portable), so a new tier needs no rank of its own: avx2 leaves
         * NEON allowed on arm64, neon allows only the portable tier on x86-64.
         */
        boolean capped(Backend b) {
            if (maxIsa == null || !b.isNative()) {
                return false;
            }
            return TIERS.indexOf(b.isa()) < TIERS.indexOf(maxIsa);
        }
    }

    /**
     * The outcome: the chosen kernel, the kernel of its short calls (the Vector API one when a native kernel
     * won and it can run, else null; see {@link Dispatch#MAX_SMALL_CALL}) and, in order, each candidate tried
     * before it with its reason.
     */
    public static final class Selection {
        public final Kernel kernel;
        public final Kernel small;
        public final Map<Backend, String> declined;

        Selection(Kernel kernel, Kernel small, Map<Backend, String> declined) {
            this.kernel = kernel;
            this.small = small;
            this.declined = Collections.unmodifiableMap(declined);
        }

        @Override
        public String toString() {
            return kernel + (small != null ? " (n <= " + Dispatch.MAX_SMALL_CALL + ": " + small.backend() + ")" : "");
        }
    }

    /** The default selection, or the configuration error it met: never an error in a class initializer. */
    private static final class Holder {
        static final Object DEFAULT = selectDefault();

        private static Object selectDefault() {
            try {
                return log(select(Config.fromSystemProperties()));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.log(System.Logger.Level.ERROR, "softmax4j: " + e.getMessage());
                return e;
            }
        }
    }

    /**
     * The selection for this JVM's system properties, made once.
     *
     * @throws IllegalStateException on every call, with the reason, when {@code -Dsoftmax4j.backend} names
     *         an unknown backend or one that cannot run here, or {@code -Dsoftmax4j.maxIsa} is not a tier
     */
    public static Selection defaultSelection() {
        Object d = Holder.DEFAULT;
        if (d instanceof Selection) {
            return (Selection) d;
        }
        RuntimeException e = (RuntimeException) d;
        throw new IllegalStateException("softmax4j is misconfigured: " + e.getMessage(), e);
    }

    /** Selects per the order above; a forced backend that cannot run is an error, not a fallback. */
    public static Selection select(Config config) {
        Map<Backend, String> declined = new LinkedHashMap<>();
        if (config.forced != null) {
            return new Selection(kernel(config.forced, config), null, declined);
        }
        for (Backend b : ORDER) {
            try {
                Kernel winner = kernel(b, config);
                return new Selection(winner, smallCalls(winner, config, declined), declined);
            } catch (UnsupportedOperationException e) {
                declined.put(b, e.getMessage());
            }
        }
        throw new AssertionError("the scalar backend always runs");
    }

    /**
     * With {@code -Dsoftmax4j.tinyCalls=vector}, a native winner sends tiny calls to the Vector API kernel when
     * it can run (no JNI transition: ~40 ns less per call once C2 has compiled the Vector API kernels, but
     * ~1000x slower calls before, over the first ~10,000 calls: not the default; README, "Tiny calls"); when
     * it cannot, the reason goes into {@code declined} (the default selection logs it: a missing flag).
     */
    private static Kernel smallCalls(Kernel winner, Config config, Map<Backend, String> declined) {
        if (!config.tinyCallsVector || !winner.backend().isNative()) {
            return null;
        }
        try {
            return kernel(Backend.VECTOR, config);
        } catch (UnsupportedOperationException e) {
            declined.put(Backend.VECTOR, e.getMessage() + " (-Dsoftmax4j.tinyCalls=vector: calls of n <= "
                    + Dispatch.MAX_SMALL_CALL + " run native code instead)");
            return null;
        }
    }

    /** The kernel of one backend, or UnsupportedOperationException with the reason it cannot run here. */
    public static Kernel kernel(Backend backend, Config config) {
        if (config.capped(backend)) {
            throw new UnsupportedOperationException(backend + ": capped by -Dsoftmax4j.maxIsa="
                    + config.maxIsa);
        }
        Object k;
        synchronized (CACHE) {
            k = CACHE.computeIfAbsent(backend, KernelSelector::create);
        }
        if (k instanceof Kernel) {
            return (Kernel) k;
        }
        throw new UnsupportedOperationException((String) k);
    }

    /** Every backend that can run here under this configuration, in preference order. */
    public static List<Backend> available(Config config) {
        List<Backend> out = new ArrayList<>();
        for (Backend b : ORDER) {
            try {
                kernel(b, config);
                out.add(b);
            } catch (UnsupportedOperationException e) {
                // not available
            }
        }
        return out;
    }

    /** Constructs a backend's kernel; returns the kernel or the reason it declined. */
    private static Object create(Backend backend) {
        try {
            switch (backend) {
                case SCALAR:
                    return new ScalarKernel();
                case VECTOR:
                    return createVector();
                default:
                    return new NativeKernel(backend);
            }
        } catch (UnsupportedOperationException e) {
            return e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            return backend + ": " + UNEXPECTED + e;
        }
    }

    /** Marks a decline that no CPU or configuration explains (an exception from a backend's construction). */
    private static final String UNEXPECTED = "failed unexpectedly: ";

    private static Object createVector() {
        Optional<Module> module = ModuleLayer.boot().findModule("jdk.incubator.vector");
        if (module.isEmpty()) {
            return "VECTOR: module jdk.incubator.vector is not in the boot layer; pass "
                    + "`--add-modules jdk.incubator.vector` to java to enable the Vector API backend";
        }
        try {
            Class<?> c = Class.forName("io.github.softmax4j.internal.VectorKernel");
            return c.getConstructor().newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable cause = e.getCause();
            return "VECTOR: " + (cause instanceof UnsupportedOperationException ? cause.getMessage()
                    : UNEXPECTED + cause);
        } catch (ReflectiveOperationException e) {
            return "VECTOR: " + UNEXPECTED + e;
        }
    }

    private static Selection log(Selection s) {
        java.util.Set<String> said = new java.util.HashSet<>();
        s.declined.forEach((b, why) -> {
            if (!said.add(why)) {
                return; // e.g. one missing native library declines every native tier: say it once
            }
            // quiet when all is well (as lz4-java and zstd-jni): one WARNING for what a flag or the installation
            // can fix and for a backend that failed unexpectedly (a bug to report), the expected declines (a CPU
            // without AVX-512, a JVM without a hardware FMA, which no flag fixes) and the winner at DEBUG
            boolean actionable = why.contains("--add-modules") || why.contains("could not be loaded")
                    || why.contains(UNEXPECTED);
            LOG.log(actionable ? Level.WARNING : Level.DEBUG, "softmax4j: {0} not used: {1}", b, why);
        });
        LOG.log(Level.DEBUG, "softmax4j: using backend {0}", s);
        return s;
    }
}
