package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Fails the run when a backend that this machine should run was not available (so the conformance
 * tests silently skipped it): AVX-512 or AVX2 per /proc/cpuinfo, or any backend named in
 * {@code -Dsoftmax4j.requireBackends=NATIVE_AVX2,VECTOR,...} (set by CI).
 */
class BackendCoverageTest {
    @Test
    void everyBackendTheHostSupportsWasExercised() throws IOException {
        Set<Backend> available = Softmax.available();
        System.out.println("backends available (and so tested): " + available);
        for (Backend b : Backend.values()) {
            if (!available.contains(b)) {
                System.out.println("!!! backend " + b + " NOT TESTED on this machine");
            }
        }
        Path cpuinfo = Path.of("/proc/cpuinfo");
        boolean x86 = System.getProperty("os.arch").matches("amd64|x86_64");
        boolean skipNative = Boolean.getBoolean("softmax4j.skipNative");
        if (skipNative) {
            System.out.println("!!! built with -Dsoftmax4j.skipNative: NO native backend was built or tested");
        }
        if (Files.isReadable(cpuinfo) && x86 && System.getProperty("softmax4j.maxIsa") == null && !skipNative) {
            String flags = Files.readString(cpuinfo);
            if (flags.matches("(?s).*\\bflags\\s*:.*\\bavx512f\\b.*")
                    && flags.matches("(?s).*\\bflags\\s*:.*\\bavx512dq\\b.*")) {
                assertTrue(available.contains(Backend.NATIVE_AVX512),
                        "this CPU has AVX-512F and DQ but NATIVE_AVX512 could not run, so it was not tested");
            } else {
                System.out.println("!!! this CPU lacks AVX-512F or DQ: the NATIVE_AVX512 kernels were NOT run");
            }
            if (flags.matches("(?s).*\\bflags\\s*:.*\\bavx2\\b.*") && flags.matches("(?s).*\\bfma\\b.*")) {
                assertTrue(available.contains(Backend.NATIVE_AVX2),
                        "this CPU has AVX2+FMA but NATIVE_AVX2 could not run, so it was not tested");
            }
        }
        boolean arm64 = System.getProperty("os.arch").matches("aarch64|arm64");
        if (arm64 && System.getProperty("softmax4j.maxIsa") == null && !skipNative) {
            assertTrue(available.contains(Backend.NATIVE_NEON),
                    "this is an arm64 JVM but NATIVE_NEON could not run, so it was not tested");
        }
        String required = System.getProperty("softmax4j.requireBackends", "");
        for (String name : required.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            Backend b = Backend.valueOf(name.trim().toUpperCase(Locale.ROOT));
            if (!available.contains(b)) {
                fail("backend " + b + " is required (-Dsoftmax4j.requireBackends) but cannot run here");
            }
        }
    }
}
