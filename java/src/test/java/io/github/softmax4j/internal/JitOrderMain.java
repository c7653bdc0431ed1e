package io.github.softmax4j.internal;

import java.util.SplittableRandom;

/**
 * Child-JVM entry of {@code JitOrderTest} (both of its JVMs run it): a hash of the Vector
 * API kernels' raw double sums (f32 raddexp and raddstoreexp, f64 raddexp) over short rows whose lanes differ by
 * up to ~2^100, where the order in which lanes are added shows in the last bits. Run with
 * {@code -XX:TieredStopAtLevel=1} the kernels run the Vector API's Java fallback (C1 has no Vector API
 * intrinsics); with {@code -Xbatch} and enough rounds, C2's code: both must give the same bits.
 */
public final class JitOrderMain {
    private JitOrderMain() {
    }

    /** args: the number of rounds (1 unless given); prints the float lanes and the hash. */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        System.out.println("lanes=" + VectorConstants.W);
        System.out.println("hash=" + Long.toHexString(hash(rounds)));
    }

    /** Runs every row rounds times (warm-up) and hashes the last round's results. */
    private static long hash(int rounds) {
        JavaKernel k = new VectorKernel();
        ScalarF64.Ops d = k.f64();
        SplittableRandom r = new SplittableRandom(20261206);
        int rows = 600;
        float[][] xs = new float[rows][];
        double[][] xd = new double[rows][];
        for (int q = 0; q < rows; q++) {
            int n = 8 + r.nextInt(120);
            xs[q] = new float[n];
            xd[q] = new double[n];
            for (int i = 0; i < n; i++) {
                xs[q][i] = (float) (-70 * r.nextDouble()); // terms 2^-101 .. 1: wide lane sums
                xd[q][i] = -600 * r.nextDouble();
            }
        }
        long h = 0;
        double[] acc = new double[2];
        for (int round = 0; round < rounds; round++) {
            h = 1469598103934665603L;
            for (int q = 0; q < rows; q++) {
                float[] x = xs[q];
                h = mix(h, k.raddexp(x, 0, x.length, 1f, 0f));
                h = mix(h, k.raddexp(x, 0, x.length, 0.7f, 0f));
                h = mix(h, k.raddstoreexp(x, 0, new float[x.length], 0, x.length, 1f, 0f));
                acc[0] = 0;
                acc[1] = 0;
                d.raddexp(xd[q], 0, xd[q].length, 1.0, false, 0.0, acc);
                h = mix(mix(h, acc[0]), acc[1]);
            }
        }
        return h;
    }

    private static long mix(long h, double v) {
        return (h ^ Double.doubleToRawLongBits(v)) * 1099511628211L;
    }
}
