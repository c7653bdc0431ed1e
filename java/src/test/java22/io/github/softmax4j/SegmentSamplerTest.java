package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** SegmentSampler gives the float[] sampler's tokens for heap, sliced, read-only and native segments. */
class SegmentSamplerTest {
    @Test
    void sameTokensAsTheArraySampler() {
        SplittableRandom r = new SplittableRandom(11);
        float[] logits = SamplerTest.logits(32_000, r);
        float[] padded = new float[logits.length + 3];
        System.arraycopy(logits, 0, padded, 3, logits.length);
        Sampler sampler = Sampler.of(Softmax.get()).withTemperature(0.7f).withTopK(40).withTopP(0.95);
        SegmentSampler seg = SegmentSampler.of(sampler);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nat = arena.allocate(4L * logits.length, 4);
            MemorySegment.copy(logits, 0, nat, ValueLayout.JAVA_FLOAT, 0, logits.length);
            MemorySegment[] views = {MemorySegment.ofArray(logits),
                MemorySegment.ofArray(padded).asSlice(12), // a heap slice at an offset
                MemorySegment.ofArray(logits).asReadOnly(), nat, nat.asReadOnly()};
            for (int v = 0; v < views.length; v++) {
                SplittableRandom a = new SplittableRandom(5);
                SplittableRandom b = new SplittableRandom(5);
                for (int i = 0; i < 200; i++) {
                    assertEquals(sampler.sample(logits, a), seg.sample(views[v], b), "view " + v + " draw " + i);
                }
                assertEquals(sampler.argmax(logits), seg.argmax(views[v]), "view " + v);
                int[] wantIdx = new int[40];
                float[] wantProbs = new float[40];
                int[] idx = new int[40];
                float[] probs = new float[40];
                assertEquals(40, sampler.topK(logits, 40, wantIdx, wantProbs));
                assertEquals(40, seg.topK(views[v], 40, idx, probs), "view " + v);
                org.junit.jupiter.api.Assertions.assertArrayEquals(wantIdx, idx, "topK view " + v);
                org.junit.jupiter.api.Assertions.assertArrayEquals(wantProbs, probs, "topK probs view " + v);
                assertEquals(sampler.logProb(logits, 31_999), seg.logProb(views[v], 31_999), "logProb view " + v);
            }
        }
    }

    @Test
    void rowsGiveTheArraySamplersTokens() {
        SplittableRandom r = new SplittableRandom(12);
        int rows = 5;
        int cols = 7_001;
        float[] logits = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(SamplerTest.logits(cols, r), 0, logits, i * cols, cols);
        }
        float[] padded = new float[logits.length + 2];
        System.arraycopy(logits, 0, padded, 2, logits.length);
        for (Sampler sampler : new Sampler[] {Sampler.of(Softmax.get()).withTemperature(0.8f).withTopP(0.9),
            Sampler.of(Softmax.get()).withTopK(20), Sampler.of(Softmax.get()).greedy()}) {
            SegmentSampler seg = SegmentSampler.of(sampler);
            int[] want = new int[rows];
            sampler.sampleRows(logits, cols, new SplittableRandom(3), want);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment nat = arena.allocate(4L * logits.length, 4);
                MemorySegment.copy(logits, 0, nat, ValueLayout.JAVA_FLOAT, 0, logits.length);
                MemorySegment[] views = {MemorySegment.ofArray(logits), MemorySegment.ofArray(padded).asSlice(8),
                    nat.asReadOnly()};
                for (int v = 0; v < views.length; v++) {
                    int[] got = new int[rows];
                    seg.sampleRows(views[v], cols, new SplittableRandom(3), got);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, sampler + " view " + v);
                }
            }
            assertThrows(IllegalArgumentException.class,
                    () -> seg.sampleRows(MemorySegment.ofArray(logits), cols + 1, new SplittableRandom(1), new int[rows]));
            assertThrows(NullPointerException.class,
                    () -> seg.sampleRows(MemorySegment.ofArray(logits), cols, new SplittableRandom(1), null));
        }
    }

    @Test
    void badInput() {
        SegmentSampler seg = SegmentSampler.of(Sampler.of(Softmax.get()));
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = {1, 2, Float.NaN, 4};
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> seg.sample(MemorySegment.ofArray(x).asSlice(4), rng));
        assertTrue(nan.getMessage().contains("logit 1 is NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> seg.argmax(MemorySegment.ofArray(new byte[6])));
        assertThrows(IndexOutOfBoundsException.class, () -> seg.sample(MemorySegment.ofArray(new float[0]), rng));
        assertThrows(NullPointerException.class, () -> seg.sample(null, rng));
        assertThrows(NullPointerException.class, () -> seg.sample(MemorySegment.ofArray(new float[1]), null));
        assertThrows(NullPointerException.class, () -> SegmentSampler.of(null));
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(16, 4);
        }
        MemorySegment gone = closed;
        assertThrows(IllegalStateException.class, () -> seg.argmax(gone));
        float[] allNegInf = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertThrows(IllegalArgumentException.class, () -> seg.sample(MemorySegment.ofArray(allNegInf), rng));
        assertThrows(IllegalArgumentException.class, () -> seg.logProb(MemorySegment.ofArray(allNegInf), 0));
        assertThrows(IllegalArgumentException.class,
                () -> seg.topK(MemorySegment.ofArray(x), 2, new int[2], new float[2]), "NaN");
        assertThrows(IndexOutOfBoundsException.class, () -> seg.logProb(MemorySegment.ofArray(new float[3]), 3));
        assertThrows(IllegalStateException.class, () -> seg.logProb(gone, 0));
    }
}
