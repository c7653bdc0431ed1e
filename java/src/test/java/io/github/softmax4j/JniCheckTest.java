package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every native entry point under {@code -Xcheck:jni}, in a child JVM ({@link JniCheckMain}): fails on a
 * non-zero exit or on any line the JNI checker prints ("WARNING ..." such as a JNI call inside a critical
 * region, a pending exception, a wrong array type). The one expected warning is the JDK's notice that an
 * incubator module (jdk.incubator.vector) is in use.
 */
class JniCheckTest {
    @Test
    void everyNativeEntryPointUnderXcheckJni() throws Exception {
        if (Softmax.available().stream().noneMatch(Backend::isNative)) {
            String why = "SKIPPED -Xcheck:jni test: no native backend can run here";
            System.out.println("!!! " + why);
            Assumptions.abort(why);
        }
        ChildJvm.Result r = ChildJvm.run(List.of("-Xcheck:jni", "-Xss4m"), JniCheckMain.class, 300);
        List<String> warnings = r.lines.stream()
                .filter(l -> l.contains("WARNING"))
                .filter(l -> !l.contains("Using incubator modules"))
                .collect(Collectors.toList());
        assertTrue(warnings.isEmpty(), "-Xcheck:jni printed warnings:\n" + String.join("\n", warnings));
        assertEquals(0, r.exitCode, "child JVM under -Xcheck:jni failed:\n" + r.output());
        assertTrue(r.lines.stream().anyMatch(l -> l.startsWith("JNI-CHECK ran NATIVE_")),
                "no native backend ran:\n" + r.output());
    }
}
