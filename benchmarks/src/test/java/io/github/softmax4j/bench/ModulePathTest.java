package io.github.softmax4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/**
 * The library jar this build produced, on the module path of a child JVM: it resolves as the module
 * {@code io.github.softmax4j} with JavaCPP, gets a native backend where the CPU has AVX2 or AVX-512, keeps
 * {@code io.github.softmax4j.internal} (the JNI binding) out of reach, and with the README's module-path
 * flags prints nothing on stderr but the JVM's own incubator-module line. The consumer ({@link Main}) runs
 * from the class path, reading the module (as {@code --add-modules} makes it).
 */
class ModulePathTest {

    /** The consumer: prints what it got; exit status 0 when everything it checks holds. */
    public static final class Main {
        public static void main(String[] args) throws Exception {
            Class<?> softmax = Class.forName("io.github.softmax4j.Softmax");
            Module module = softmax.getModule();
            System.out.println("module: " + module.getName());
            Object instance = softmax.getMethod("get").invoke(null);
            System.out.println("backend: " + softmax.getMethod("backend").invoke(instance));
            float[] p = (float[]) softmax.getMethod("softmax", float[].class).invoke(instance,
                    (Object) new float[] {1f, 2f, 3f});
            System.out.println("softmax sums to 1: " + (Math.abs(p[0] + p[1] + p[2] - 1f) <= 2e-7f));
            System.out.println("internal exported: " + module.isExported("io.github.softmax4j.internal"));
            Class<?> jni = Class.forName("io.github.softmax4j.internal.NativeLib");
            try {
                jni.getMethod("s4j_cpu_max_isa").invoke(null);
                System.out.println("internal callable: true");
            } catch (IllegalAccessException expected) {
                System.out.println("internal callable: false");
            }
        }
    }

    @Test
    void theJarRunsAsAModule() throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("softmax4j.jar", "../java/target/softmax4j.jar")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "no library jar at " + jar);
        String javacpp = Path.of(Loader.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .toAbsolutePath().toString();
        String testClasses = Path.of(ModulePathTest.class.getProtectionDomain().getCodeSource().getLocation()
                .getPath()).toAbsolutePath().toString();
        Path cache = Files.createTempDirectory("javacpp-cache");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", jar + File.pathSeparator + javacpp,
                "--add-modules", "io.github.softmax4j,jdk.incubator.vector",
                "--enable-native-access=org.bytedeco.javacpp,io.github.softmax4j",
                "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-cp", testClasses, Main.class.getName()));
        Path out = Files.createTempFile("module-path", ".out");
        Path err = Files.createTempFile("module-path", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the child JVM did not finish");
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        System.out.println(stdout + stderr);
        assertEquals(0, p.exitValue(), "child JVM failed:\n" + stdout + stderr);
        assertTrue(stdout.contains("module: io.github.softmax4j\n"), stdout);
        assertTrue(stdout.contains("softmax sums to 1: true\n"), stdout);
        assertTrue(stdout.contains("internal exported: false\n"), stdout);
        assertTrue(stdout.contains("internal callable: false\n"), stdout);
        boolean skipNative = Boolean.getBoolean("softmax4j.skipNative");
        if (!skipNative && hasAvx2()) {
            assertTrue(stdout.contains("backend: NATIVE_"), "no native backend on the module path:\n" + stdout);
        }
        // quiet when all is well; a jar without natives for this platform rightly says so on stderr
        if (hasNativesForThisPlatform(jar)) {
            String own = stderr.lines().filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector"))
                    .reduce("", (a, b) -> a + b + "\n");
            assertEquals("", own, "stderr with the README's module-path flags");
        }
    }

    private static boolean hasNativesForThisPlatform(Path jar) throws IOException {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            String dir = "io/github/softmax4j/internal/" + Loader.getPlatform() + "/";
            return j.stream().anyMatch(e -> e.getName().startsWith(dir) && !e.isDirectory());
        }
    }

    private static boolean hasAvx2() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        return Files.isReadable(cpuinfo) && Files.readString(cpuinfo).matches("(?s).*\\bavx2\\b.*");
    }
}
