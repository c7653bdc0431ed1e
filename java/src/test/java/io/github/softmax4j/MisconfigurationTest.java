package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A wrong configuration is a plain error on every call that needs it, never an
 * {@code ExceptionInInitializerError} that poisons the class for the JVM's life: each case runs in a child
 * JVM ({@link MisconfigurationMain}), which checks {@code Softmax.get()} twice and {@code Softmax.of(...)}.
 */
class MisconfigurationTest {
    private static void expectOk(ChildJvm.Result r, String... mustContain) {
        System.out.println(r.output());
        assertEquals(0, r.exitCode, r.output());
        for (String s : mustContain) {
            assertTrue(r.output().contains(s), "missing '" + s + "' in:\n" + r.output());
        }
    }

    @Test
    void unknownBackendName() throws Exception {
        expectOk(ChildJvm.run(List.of("-Dsoftmax4j.backend=BOGUS"), MisconfigurationMain.class, 60, "get-fails",
                "of-works"), "BOGUS", "OK");
    }

    @Test
    void forcedVectorWithoutTheModule() throws Exception {
        expectOk(ChildJvm.run(false, List.of("-Dsoftmax4j.backend=VECTOR"), MisconfigurationMain.class, 60,
                "get-fails", "of-works"), "--add-modules jdk.incubator.vector", "OK");
    }

    @Test
    void badTinyCallsValue() throws Exception {
        expectOk(ChildJvm.run(List.of("-Dsoftmax4j.tinyCalls=sometimes"), MisconfigurationMain.class, 60,
                "get-fails", "of-works"), "tinyCalls", "sometimes", "OK");
    }

    @Test
    void badIsaCap() throws Exception {
        expectOk(ChildJvm.run(List.of("-Dsoftmax4j.maxIsa=avx9"), MisconfigurationMain.class, 60, "get-fails",
                "of-fails"), "avx9", "OK");
    }
}
