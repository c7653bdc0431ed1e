package io.github.softmax4j;

import io.github.softmax4j.internal.Fma;

import java.util.Random;

/**
 * Child-JVM entry of {@link NoFmaTest} (also run in the test's own JVM): prints whether this JVM has a hardware FMA,
 * the default backend, VECTOR's availability, and a hash of the SCALAR backend's results (f32 softmax with
 * every algorithm, log-softmax, log-sum-exp, a temperature; f64 softmax, log-softmax and log-sum-exp) on fixed
 * inputs, so that the parent can require the same bits with and without {@code -XX:-UseFMA}.
 */
public final class NoFmaMain {
    private NoFmaMain() {
    }

    public static void main(String[] args) {
        System.out.println("hardware-fma=" + Fma.HARDWARE);
        System.out.println("default=" + Softmax.get().backend());
        String vector;
        try {
            vector = "available " + Softmax.of(Backend.VECTOR).backend();
        } catch (RuntimeException e) {
            vector = "declined: " + e.getMessage();
        }
        System.out.println("vector=" + vector);
        System.out.println("scalar-hash=" + Long.toHexString(scalarHash()));
        System.out.println("OK");
    }

    static long scalarHash() {
        Random r = new Random(20261204);
        long h = 1469598103934665603L;
        Softmax s = Softmax.of(Backend.SCALAR);
        for (int n : new int[] {1, 7, 100, 4097, 70000}) {
            float[] x = new float[n];
            double[] xd = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextGaussian() * 8 + (i % 17 == 0 ? 40 : 0));
                xd[i] = r.nextGaussian() * 30;
            }
            float[] y = new float[n];
            for (Algorithm a : Algorithm.values()) {
                s.with(a).softmax(x, y);
                h = mix(h, y);
            }
            s.logSoftmax(x, y);
            h = mix(h, y);
            s.withTemperature(0.7f).softmax(x, y);
            h = mix(h, y);
            h = h * 1099511628211L ^ Float.floatToRawIntBits(s.logSumExp(x));
            DoubleSoftmax d = DoubleSoftmax.of(s);
            double[] yd = new double[n];
            d.softmax(xd, yd);
            h = mix(h, yd);
            d.logSoftmax(xd, yd);
            h = mix(h, yd);
            h = h * 1099511628211L ^ Double.doubleToRawLongBits(d.logSumExp(xd));
        }
        return h;
    }

    private static long mix(long h, float[] y) {
        for (float v : y) {
            h = (h ^ Float.floatToRawIntBits(v)) * 1099511628211L;
        }
        return h;
    }

    private static long mix(long h, double[] y) {
        for (double v : y) {
            h = (h ^ Double.doubleToRawLongBits(v)) * 1099511628211L;
        }
        return h;
    }
}
