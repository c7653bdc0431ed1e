package io.github.softmax4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Double-precision softmax and log-sum-exp: {@link ScalarF64}, {@link VectorF64} and the native entry
 * points of every ISA tier this CPU runs (an unavailable tier is skipped with a loud SKIPPED line)
 * against a double-double reference (differences (x' - x'max) * s' formed exactly, exp in double-double,
 * ~2^-100 relative). Asserts every softmax output >= DBL_MIN within 4 ULP (smaller ones within DBL_MIN
 * absolute) and log-sum-exp within 4 ULP (|lse| >= 1) or 4 * 2^-52 absolute. Seed: -Ds4j.seed=...
 */
public class F64Test {
    private static final long SEED = Long.getLong("s4j.seed", 0x5EED50F7A4A40064L);
    private static final double[] SCALES = {1.0, 0.7, 1.0 / 0.3};
    private static final String[] DISTS = {"N(0,1)", "U(-100,100)", "U(700,720)", "logits+outliers",
        "adversarial", "U(-1e300,1e300)"};

    /** One implementation under test: its rows entry ({@code Kernel.rowsF64}, s4j_f64_rows_at). */
    interface Impl {
        void rows(Op op, int algo, int flags, double s, double[] x, int xOff, int xStride, double[] y, int yOff,
                int yStride, int rows, int cols, double[] lse);

        default void softmax(int algo, boolean safe, double s, double[] x, int xOff, double[] y, int yOff, int n) {
            rows(Op.SOFTMAX, algo, safe ? Op.FLAG_SAFE : 0, s, x, xOff, n, y, yOff, n, 1, n, new double[0]);
        }

        default double lse(double s, double[] x, int off, int n) {
            double[] out = {Double.NaN};
            rows(Op.LOG_SUM_EXP, 0, 0, s, x, off, n, x, off, n, 1, n, out);
            return out[0];
        }

        default void logSoftmax(int flags, double s, double[] x, int xOff, double[] y, int yOff, int n, double[] lse) {
            rows(Op.LOG_SOFTMAX, 0, flags, s, x, xOff, n, y, yOff, n, 1, n, lse);
        }
    }

    private static Impl java(ScalarF64.Ops ops) {
        return (op, a, f, s, x, xo, xs, y, yo, ys, rows, cols, lse) -> ScalarF64.rows(ops, op,
                io.github.softmax4j.Algorithm.values()[a], f, s, x, xo, xs, y, yo, ys, rows, cols, lse, 0);
    }

    private static Map<String, Impl> impls() {
        Map<String, Impl> m = new LinkedHashMap<>();
        m.put("scalar", java(ScalarF64.SCALAR));
        m.put("vector", java(VectorF64.OPS));
        NativeKernel.ensureLoaded();
        String[] names = {"native-portable", "native-avx2", "native-avx512"};
        for (int isa = 0; isa < 3; isa++) {
            if (NativeLib.s4j_isa_supported(isa) == 0) {
                System.out.println("**** SKIPPED " + names[isa] + ": this CPU/OS cannot run the tier (features 0x"
                        + Integer.toHexString(NativeLib.s4j_cpu_features()) + ") ****");
                continue;
            }
            final int tier = isa;
            m.put(names[isa], (op, a, f, s, x, xo, xs, y, yo, ys, rows, cols, lse) -> assertEquals(0,
                    NativeLib.s4j_f64_rows_at(tier, op.ordinal(), a, f, s, x, xo, xs, y, yo, ys, rows, cols, lse, 0)));
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Double-double reference
    // ---------------------------------------------------------------------------------------------

    private static final double LN2_A = 0x1.62e42fefa39efp-1;
    private static final double LN2_B = 0x1.abc9e3b39803fp-56;

    /** a*b as dd (b a dd). */
    private static double[] mul(double ah, double al, double bh, double bl) {
        double p = ah * bh;
        double e = Math.fma(ah, bh, -p) + (ah * bl + al * bh);
        double h = p + e;
        return new double[] {h, e - (h - p)};
    }

    private static double[] add(double ah, double al, double bh, double bl) {
        double s = ah + bh;
        double bp = s - ah;
        double e = (ah - (s - bp)) + (bh - bp) + al + bl;
        double h = s + e;
        return new double[] {h, e - (h - s)};
    }

    /** exp(dh + dl) as dd for dh in [-1500, 10]. */
    static double[] expDD(double dh, double dl) {
        double k = Math.rint(dh / LN2_A);
        double p = k * LN2_A;
        double pe = Math.fma(k, LN2_A, -p);
        double[] r = add(dh, dl, -p, -pe);
        r = add(r[0], r[1], -k * LN2_B, -Math.fma(k, LN2_B, -k * LN2_B));
        double rh = Math.scalb(r[0], -10);
        double rl = Math.scalb(r[1], -10);
        // Taylor degree 12 of exp(r/1024) - 1 by Horner in dd, then (1 + u)^1024 by squaring
        double[] q = {1.0 / 479001600.0, 0.0};
        for (int j = 11; j >= 1; j--) {
            q = mul(q[0], q[1], rh, rl);
            double[] c = invFactorial(j);
            q = add(q[0], q[1], c[0], c[1]);
        }
        q = mul(q[0], q[1], rh, rl);
        double[] e = add(1.0, 0.0, q[0], q[1]);
        for (int j = 0; j < 10; j++) {
            e = mul(e[0], e[1], e[0], e[1]);
        }
        return new double[] {Math.scalb(e[0], (int) k), Math.scalb(e[1], (int) k)};
    }

    /** 1/j! as dd. */
    private static double[] invFactorial(int j) {
        double f = 1;
        for (int i = 2; i <= j; i++) {
            f *= i; // exact for j <= 18
        }
        double h = 1.0 / f;
        return new double[] {h, -Math.fma(h, f, -1.0) / f};
    }

    /**
     * (v - vmax) * sp as dd, scaled first (each product exact as dd, then their difference), so that inputs whose
     * difference overflows but whose scaled difference does not (huge inputs of both signs, sp < 1) stay exact; a
     * difference beyond the double range is -Inf (its exp is 0, its log-softmax -Inf). vmax * sp must be finite.
     */
    private static double[] scaledDistance(double v, double vmax, double sp) {
        double zh = v * sp;
        double zl = Math.fma(v, sp, -zh);
        double mh = vmax * sp;
        double ml = Math.fma(vmax, sp, -mh);
        double[] d = add(zh, zl, -mh, -ml);
        if (!Double.isFinite(d[0]) && Double.isFinite(zh - mh)) {
            // the 2Sum inside add overflowed (operands near DBL_MAX) though the difference did not: on the halves
            d = add(zh / 2, zl / 2, -mh / 2, -ml / 2);
            d = new double[] {2 * d[0], 2 * d[1]};
        }
        return Double.isFinite(d[0]) ? d : new double[] {Double.NEGATIVE_INFINITY, 0.0};
    }

    /** Reference softmax (dd per output: ref[2i], ref[2i+1]) and lse (dd) of z = x*s, finite s != 0. */
    public static double[] reference(double[] x, int n, double s, double[] lse) {
        return reference(x, n, s, lse, new double[2]);
    }

    /** As {@link #reference(double[], int, double, double[])}, with log S (dd) into logS when lse is given. */
    private static double[] reference(double[] x, int n, double s, double[] lse, double[] logS) {
        double xmax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            xmax = Math.max(xmax, s < 0 ? -x[i] : x[i]);
        }
        double sp = Math.abs(s);
        double[] w = new double[2 * n];
        double[] sum = {0.0, 0.0};
        for (int i = 0; i < n; i++) {
            double v = s < 0 ? -x[i] : x[i];
            if (v == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double[] d = scaledDistance(v, xmax, sp);
            if (d[0] < -1500) {
                continue;
            }
            double[] e = expDD(d[0], d[1]);
            w[2 * i] = e[0];
            w[2 * i + 1] = e[1];
            sum = add(sum[0], sum[1], e[0], e[1]);
        }
        for (int i = 0; i < n; i++) {
            double q1 = w[2 * i] / sum[0];
            double[] qb = mul(q1, 0.0, sum[0], sum[1]);
            double[] r = add(w[2 * i], w[2 * i + 1], -qb[0], -qb[1]);
            double q2 = r[0] / sum[0];
            w[2 * i] = q1 + q2;
            w[2 * i + 1] = q2 - (w[2 * i] - q1);
        }
        if (lse != null) {
            // log S by one Newton step from Math.log: y + (S exp(-y) - 1)
            double y0 = Math.log(sum[0]);
            double[] e = expDD(-y0, 0.0);
            double[] t = mul(sum[0], sum[1], e[0], e[1]);
            double[] ls = add(y0, 0.0, t[0] - 1.0, t[1]);
            logS[0] = ls[0];
            logS[1] = ls[1];
            double[] z = mul(xmax, 0.0, sp, 0.0);
            double[] l = add(z[0], z[1], ls[0], ls[1]);
            lse[0] = l[0];
            lse[1] = l[1];
        }
        return w;
    }

    /** Reference log-softmax (dd per output, -Inf for -Inf inputs) of z = x*s, finite s != 0. */
    public static double[] referenceLog(double[] x, int n, double s) {
        double[] logS = new double[2];
        reference(x, n, s, new double[2], logS);
        double xmax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            xmax = Math.max(xmax, s < 0 ? -x[i] : x[i]);
        }
        double sp = Math.abs(s);
        double[] out = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double v = s < 0 ? -x[i] : x[i];
            if (v == Double.NEGATIVE_INFINITY) {
                out[2 * i] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double[] d = scaledDistance(v, xmax, sp);
            if (d[0] == Double.NEGATIVE_INFINITY) { // beyond the double range below
                out[2 * i] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double[] r = add(d[0], d[1], -logS[0], -logS[1]);
            out[2 * i] = r[0];
            out[2 * i + 1] = r[1];
        }
        return out;
    }

    /** Log-softmax within 2^-52 |ref| + 2^-50 absolute; -Inf exactly where the reference is -Inf. */
    private static void checkLog(double[] y, double[] ref, int n, double[] maxErr, String what, List<String> failures) {
        for (int i = 0; i < n; i++) {
            boolean ok;
            if (ref[2 * i] == Double.NEGATIVE_INFINITY) {
                ok = y[i] == Double.NEGATIVE_INFINITY;
            } else {
                double err = Double.isFinite(y[i])
                        ? Math.abs((y[i] - ref[2 * i]) - ref[2 * i + 1]) / (Math.abs(ref[2 * i]) * 0x1p-52 + 0x1p-50)
                        : Double.POSITIVE_INFINITY;
                maxErr[0] = Math.max(maxErr[0], err);
                ok = err <= 1.0;
            }
            if (!ok && failures.size() < 30) {
                failures.add(what + " log-softmax n=" + n + " i=" + i + " y=" + y[i] + " ref=" + ref[2 * i]
                        + " seed=0x" + Long.toHexString(SEED));
                return;
            }
        }
    }

    /** |y - (rh + rl)| in ULPs of rh. */
    public static double ulps(double y, double rh, double rl) {
        if (!Double.isFinite(y)) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.abs((y - rh) - rl) / Math.ulp(rh);
    }

    // ---------------------------------------------------------------------------------------------

    private static void generate(int dist, double[] x, int n, SplittableRandom r) {
        for (int i = 0; i < n; i++) {
            switch (dist) {
                case 0: x[i] = gaussian(r); break;
                case 1: x[i] = -100 + 200 * r.nextDouble(); break;
                case 2: x[i] = 700 + 20 * r.nextDouble(); break;
                case 3: x[i] = 3 * gaussian(r); break;
                case 4: x[i] = Math.log(0.75 * 0x1p-52); break;
                default: x[i] = (2 * r.nextDouble() - 1) * 1e300; break;
            }
        }
        if (n == 0) {
            return;
        }
        if (dist == 3) {
            for (int k = 0; k < 1 + n / 1000; k++) {
                x[r.nextInt(n)] = 30 + gaussian(r);
            }
        } else if (dist == 4) {
            x[r.nextInt(n)] = 0.0;
        } else if (dist == 5) {
            x[r.nextInt(n)] = 1e300;
            x[r.nextInt(n)] = 1e300 - 0x1p950;
        }
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static int checkSoftmax(double[] y, int yOff, double[] ref, int n, double[] maxUlp, String what,
            List<String> failures) {
        int bad = 0;
        for (int i = 0; i < n; i++) {
            double rh = ref[2 * i];
            boolean ok;
            if (rh >= Double.MIN_NORMAL) {
                double u = ulps(y[yOff + i], rh, ref[2 * i + 1]);
                maxUlp[0] = Math.max(maxUlp[0], u);
                ok = u <= 4.0;
            } else {
                ok = Double.isFinite(y[yOff + i]) && Math.abs(y[yOff + i] - rh) <= Double.MIN_NORMAL;
            }
            if (!ok && bad++ == 0 && failures.size() < 30) {
                failures.add(what + " n=" + n + " i=" + i + " y=" + y[yOff + i] + " ref=" + rh + " seed=0x"
                        + Long.toHexString(SEED));
            }
        }
        return bad;
    }

    private static void checkLse(double got, double[] ref, double[] maxErr, String what, List<String> failures) {
        double err = Math.abs(ref[0]) >= 1.0 ? ulps(got, ref[0], ref[1])
                : (Double.isFinite(got) ? Math.abs((got - ref[0]) - ref[1]) / 0x1p-52 : Double.POSITIVE_INFINITY);
        maxErr[0] = Math.max(maxErr[0], err);
        if (!(err <= 4.0) && failures.size() < 30) {
            failures.add(what + " lse=" + got + " ref=" + ref[0] + " err=" + err + " seed=0x" + Long.toHexString(SEED));
        }
    }

    @Test
    void accuracyOverSizesDistributionsScales() {
        List<Integer> sizes = new ArrayList<>();
        for (int n = 0; n <= 33; n++) {
            sizes.add(n);
        }
        for (int n : new int[] {63, 64, 65, 97, 1000, 1001, 1009, 4095, 4096, 4097, 4099, 65537, 1 << 20}) {
            sizes.add(n);
        }
        Map<String, Impl> impls = impls();
        Map<String, double[]> maxUlp = new LinkedHashMap<>();
        Map<String, double[]> maxLse = new LinkedHashMap<>();
        Map<String, double[]> maxLog = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (String name : impls.keySet()) {
            maxUlp.put(name, new double[1]);
            maxLse.put(name, new double[1]);
            maxLog.put(name, new double[1]);
        }
        for (int n : sizes) {
            double[] x = new double[n + 3];
            double[] y = new double[n + 10];
            double[] buf = new double[n + 3];
            for (int dist = 0; dist < DISTS.length; dist++) {
                for (double s : SCALES) {
                    SplittableRandom r = new SplittableRandom(SEED ^ (n * 131L + dist * 7L + Double.hashCode(s)));
                    generate(dist, x, n, r);
                    double[] lseRef = new double[2];
                    double[] ref = reference(x, n, s, lseRef);
                    for (Map.Entry<String, Impl> e : impls.entrySet()) {
                        Impl impl = e.getValue();
                        int[] algos = n > 70000 ? new int[] {1, 3} : new int[] {0, 1, 2, 3};
                        for (int algo : algos) {
                            String what = e.getKey() + "/algo" + algo + "/s=" + s + "/" + DISTS[dist];
                            impl.softmax(algo, false, s, x, 0, y, 0, n);
                            checkSoftmax(y, 0, ref, n, maxUlp.get(e.getKey()), what + "/out", failures);
                            System.arraycopy(x, 0, buf, 0, n);
                            impl.softmax(algo, false, s, buf, 0, buf, 0, n);
                            checkSoftmax(buf, 0, ref, n, maxUlp.get(e.getKey()), what + "/in-place", failures);
                            if (n < 70000) {
                                System.arraycopy(x, 0, buf, 3, n);
                                java.util.Arrays.fill(y, -7.0);
                                impl.softmax(algo, false, s, buf, 3, y, 5, n);
                                checkSoftmax(y, 5, ref, n, maxUlp.get(e.getKey()), what + "/offsets", failures);
                                boolean sentinels = true;
                                for (int i = 0; i < 5; i++) {
                                    sentinels &= y[i] == -7.0;
                                }
                                for (int i = n + 5; i < n + 10; i++) {
                                    sentinels &= y[i] == -7.0;
                                }
                                if (!sentinels) {
                                    failures.add(what + " wrote outside y, n=" + n);
                                }
                            }
                        }
                        if (n > 0) {
                            String what = e.getKey() + "/s=" + s + "/" + DISTS[dist] + " n=" + n;
                            double lse = impl.lse(s, x, 0, n);
                            checkLse(lse, lseRef, maxLse.get(e.getKey()), what, failures);
                            if (n < 70000) { // log-softmax, with its lse, out of place and in place
                                double[] lse2 = {Double.NaN};
                                impl.logSoftmax(Op.FLAG_LSE, s, x, 0, y, 0, n, lse2);
                                checkLog(y, referenceLog(x, n, s), n, maxLog.get(e.getKey()), what, failures);
                                checkLse(lse2[0], lseRef, maxLse.get(e.getKey()), what + " (FLAG_LSE)", failures);
                                System.arraycopy(x, 0, buf, 0, n);
                                impl.logSoftmax(0, s, buf, 0, buf, 0, n, new double[0]);
                                if (!java.util.Arrays.equals(buf, 0, n, y, 0, n)) {
                                    failures.add(what + " log-softmax in place differs");
                                }
                            }
                        }
                    }
                }
            }
        }
        for (String name : impls.keySet()) {
            System.out.printf("F64Test %-16s softmax max %.3f ULP, logsumexp max %.3f, log-softmax max %.3f of its "
                    + "bound%n", name, maxUlp.get(name)[0], maxLse.get(name)[0], maxLog.get(name)[0]);
        }
        assertTrue(failures.isEmpty(), "seed 0x" + Long.toHexString(SEED) + ": " + String.join("\n", failures));
    }

    @Test
    void specialValues() {
        Map<String, Impl> impls = impls();
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, Impl> e : impls.entrySet()) {
            Impl impl = e.getValue();
            String name = e.getKey();
            for (int n : new int[] {1, 2, 7, 8, 17, 33, 1000, 5000}) {
                for (int pos : new int[] {0, n / 2, n - 1}) {
                    for (double s : new double[] {1.0, 0.7}) {
                        for (int algo = 0; algo < 4; algo++) {
                            double[] x = new double[n];
                            SplittableRandom r = new SplittableRandom(SEED + n * 7L + pos);
                            for (int i = 0; i < n; i++) {
                                x[i] = gaussian(r);
                            }
                            double[] y = new double[n];
                            x[pos] = nan;
                            impl.softmax(algo, false, s, x, 0, y, 0, n);
                            assertAll(y, nan, name + " NaN n=" + n);
                            assertTrue(Double.isNaN(impl.lse(s, x, 0, n)), name + " lse NaN");
                            impl.logSoftmax(0, s, x, 0, y, 0, n, new double[0]);
                            assertAll(y, nan, name + " log-softmax NaN n=" + n);
                            x[pos] = inf;
                            impl.softmax(algo, false, s, x, 0, y, 0, n);
                            assertAll(y, nan, name + " +Inf n=" + n);
                            assertEquals(inf, impl.lse(s, x, 0, n), name + " lse +Inf");
                            impl.logSoftmax(0, s, x, 0, y, 0, n, new double[0]);
                            assertAll(y, nan, name + " log-softmax +Inf n=" + n);
                            x[pos] = -inf;
                            double[] lseRef = new double[2];
                            double[] ref = reference(x, n, s, lseRef);
                            impl.softmax(algo, false, s, x, 0, y, 0, n);
                            if (n == 1) {
                                assertAll(y, nan, name + " all -Inf");
                                assertEquals(-inf, impl.lse(s, x, 0, n));
                                impl.softmax(algo, true, s, x, 0, y, 0, n);
                                assertAll(y, 0.0, name + " all -Inf SAFE");
                            } else {
                                assertEquals(0.0, y[pos], name + " -Inf -> 0");
                                List<String> f = new ArrayList<>();
                                checkSoftmax(y, 0, ref, n, new double[1], name + " -Inf", f);
                                checkLse(impl.lse(s, x, 0, n), lseRef, new double[1], name + " -Inf lse", f);
                                impl.logSoftmax(0, s, x, 0, y, 0, n, new double[0]);
                                checkLog(y, referenceLog(x, n, s), n, new double[1], name + " -Inf", f);
                                assertTrue(f.isEmpty(), String.join("\n", f));
                            }
                        }
                    }
                }
            }
            double[] all = {-inf, -inf, -inf};
            double[] y = new double[3];
            impl.softmax(3, false, 1.0, all, 0, y, 0, 3);
            assertAll(y, nan, name + " all -Inf");
            impl.softmax(1, true, 1.0, all, 0, y, 0, 3);
            assertAll(y, 0.0, name + " all -Inf SAFE");
            assertEquals(-inf, impl.lse(1.0, all, 0, 3));
            impl.logSoftmax(0, 1.0, all, 0, y, 0, 3, new double[0]);
            assertAll(y, nan, name + " all -Inf log-softmax");
            impl.logSoftmax(Op.FLAG_SAFE, 1.0, all, 0, y, 0, 3, new double[0]);
            assertAll(y, -inf, name + " all -Inf SAFE log-softmax");
            assertEquals(-inf, impl.lse(1.0, all, 0, 0), name + " n == 0 lse");
            for (double s : SCALES) {
                double[] ext = {-Double.MAX_VALUE, Double.MAX_VALUE};
                impl.softmax(0, false, s, ext, 0, y, 0, 2);
                assertEquals(0.0, y[0], name + " -MAX");
                assertEquals(1.0, y[1], name + " MAX");
                impl.logSoftmax(0, s, ext, 0, y, 0, 2, new double[0]);
                assertEquals(0.0, y[1], name + " log-softmax MAX");
                assertEquals(-inf, y[0], name + " log-softmax -MAX (the difference overflows)");
            }
            double[] three = {1, 2, 3};
            impl.softmax(0, false, 0.0, three, 0, y, 0, 3);
            assertAll(y, 1.0 / 3.0, name + " scale 0");
            impl.softmax(0, false, nan, three, 0, y, 0, 3);
            assertAll(y, nan, name + " scale NaN");
            double[] ref = reference(three, 3, -2.0, null);
            impl.softmax(0, false, -2.0, three, 0, y, 0, 3);
            List<String> f = new ArrayList<>();
            checkSoftmax(y, 0, ref, 3, new double[1], name + " negative scale", f);
            assertTrue(f.isEmpty(), String.join("\n", f));
            assertEquals(0.0, impl.lse(1.0, new double[] {0.0}, 0, 1), name + " lse [0]");
        }
    }

    private static void assertAll(double[] y, double v, String what) {
        for (double d : y) {
            assertEquals(v, d, 0.0, what);
        }
    }
}
