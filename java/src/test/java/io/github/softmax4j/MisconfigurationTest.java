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

    /**
     * The diagnostics report each misconfiguration on a line of their own (the listing runs as without it) and
     * exit with status 1: no stack trace, and the last line says what is wrong.
     */
    @Test
    void diagnosticsReportAMisconfiguration() throws Exception {
        expectReported(ChildJvm.run(List.of("-Dsoftmax4j.backend=BOGUS"), Diagnostics.class, 180, "--no-speed"),
                "BOGUS");
        expectReported(ChildJvm.run(false, List.of("-Dsoftmax4j.backend=VECTOR"), Diagnostics.class, 180,
                "--no-speed"), "--add-modules jdk.incubator.vector");
        expectReported(ChildJvm.run(List.of("-Dsoftmax4j.maxIsa=avx9"), Diagnostics.class, 180, "--no-speed"),
                "avx9");
        expectReported(ChildJvm.run(List.of("-Dsoftmax4j.tinyCalls=sometimes"), Diagnostics.class, 180,
                "--no-speed"), "sometimes");
    }

    private static void expectReported(ChildJvm.Result r, String what) {
        System.out.println(r.output());
        assertEquals(1, r.exitCode, r.output());
        assertTrue(!r.output().contains("Exception in thread") && !r.output().contains("\tat "),
                "a stack trace in:\n" + r.output());
        String last = r.lines.get(r.lines.size() - 1).isEmpty() && r.lines.size() > 1
                ? r.lines.get(r.lines.size() - 2) : r.lines.get(r.lines.size() - 1);
        assertTrue(last.contains("CONFIGURATION ERROR") && last.contains(what), "last line '" + last + "' in:\n"
                + r.output());
        assertTrue(r.output().contains("backends:"), "no backend listing in:\n" + r.output());
    }
}
