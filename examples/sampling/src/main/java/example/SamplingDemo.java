package example;

import java.util.SplittableRandom;

import io.github.softmax4j.Backend;
import io.github.softmax4j.Sampler;
import io.github.softmax4j.Softmax;

/**
 * A token stream from a synthetic "language model": each step's logits depend on the previous token (a
 * cheap hash-seeded mix of a Zipf-like prior and a few strongly preferred continuations), so the stream is
 * deterministic for a seed. For every backend this machine can run: the first tokens of the stream (the same
 * on every backend: the sampler's draws do not depend on the backend for these settings) and tokens per
 * second of the sampler alone (the logits are generated outside the timed region).
 */
public final class SamplingDemo {
    public static void main(String[] args) {
        int vocab = args.length > 0 ? Integer.parseInt(args[0]) : 128_256;
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        System.out.printf("vocabulary %,d, %,d tokens per backend, T = 0.7, top-k 40, top-p 0.95%n", vocab, tokens);
        float[] prior = prior(vocab);
        for (Backend b : Softmax.available()) {
            Sampler sampler = Sampler.of(Softmax.of(b)).withTemperature(0.7f).withTopK(40).withTopP(0.95);
            SplittableRandom rng = new SplittableRandom(2026);
            float[] logits = new float[vocab];
            StringBuilder first = new StringBuilder();
            long sampling = 0;
            int token = 0;
            for (int t = 0; t < tokens; t++) {
                next(prior, token, logits);
                long t0 = System.nanoTime();
                token = sampler.sample(logits, rng);
                sampling += System.nanoTime() - t0;
                if (t < 12) {
                    first.append(token).append(' ');
                }
            }
            System.out.printf("%-16s %10.0f tokens/s (%6.1f us/token)   stream: %s...%n", b,
                    tokens / (sampling * 1e-9), sampling * 1e-3 / tokens, first);
        }
    }

    /** A Zipf-like prior: token i has logit -1.1 * ln(1 + i) plus noise. */
    private static float[] prior(int vocab) {
        SplittableRandom r = new SplittableRandom(1);
        float[] p = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            p[i] = (float) (-1.1 * Math.log1p(i) + 0.5 * r.nextGaussian());
        }
        return p;
    }

    /** The next step's logits: the prior, plus a boost for eight continuations chosen by the previous token. */
    private static void next(float[] prior, int previous, float[] logits) {
        System.arraycopy(prior, 0, logits, 0, prior.length);
        SplittableRandom r = new SplittableRandom(previous * 0x9E3779B97F4A7C15L);
        for (int k = 0; k < 8; k++) {
            logits[r.nextInt(prior.length)] += (float) (6 + 2 * r.nextGaussian());
        }
    }
}
