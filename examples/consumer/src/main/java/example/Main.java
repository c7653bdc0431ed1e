package example;

import io.github.softmax4j.Softmax;

/** What a user writes: one call, and which backend ran it. */
public final class Main {
    public static void main(String[] args) {
        float[] logits = {2.0f, 1.0f, 0.1f, Float.NEGATIVE_INFINITY, 3.5f};
        Softmax softmax = Softmax.get();
        float[] p = softmax.softmax(logits);
        float sum = 0;
        for (float v : p) {
            sum += v;
        }
        System.out.println("backend: " + softmax.backend());
        System.out.println("softmax: " + java.util.Arrays.toString(p) + " (sum " + sum + ")");
        if (Math.abs(sum - 1) > 1e-6f || p[3] != 0f) {
            throw new AssertionError("wrong softmax");
        }
    }
}
