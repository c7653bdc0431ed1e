package io.github.softmax4j.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * The one input every benchmark uses, so softmax4j, the baselines and the peers are timed on the same data:
 * LLM-like logits, N(0, 3^2), seed 42.
 */
final class BenchInputs {
    private BenchInputs() {
    }

    static float[] logits(int n) {
        float[] x = new float[n];
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        return x;
    }

    /** A direct native-order buffer of n floats (zeros). */
    static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** A direct native-order buffer holding a copy of x. */
    static FloatBuffer direct(float[] x) {
        FloatBuffer b = direct(x.length);
        b.put(0, x);
        return b;
    }
}
