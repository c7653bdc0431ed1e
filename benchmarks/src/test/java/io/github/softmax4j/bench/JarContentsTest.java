package io.github.softmax4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/**
 * Opens the library jar this build produced ({@code java/target/softmax4j-<version>.jar}; this module is
 * built after it) and checks what a user gets: the public classes, the licence files, the natives of this
 * platform (and of every platform in {@code -Dsoftmax4j.expectPlatforms}), and a Multi-Release manifest if
 * and only if the JDK 22 classes are inside — built on JDK 22+ they must be.
 */
class JarContentsTest {
    private static final String NATIVES = "io/github/softmax4j/internal/";

    @Test
    void theJarHoldsWhatItClaims() throws IOException {
        Path path = Path.of(System.getProperty("softmax4j.jar", "../java/target/softmax4j.jar"));
        assertTrue(Files.isRegularFile(path), "no library jar at " + path.toAbsolutePath());
        try (JarFile jar = new JarFile(path.toFile())) {
            for (String name : List.of("io/github/softmax4j/Softmax.class", "io/github/softmax4j/Sampler.class",
                    "io/github/softmax4j/Diagnostics.class", "META-INF/LICENSE", "META-INF/NOTICE")) {
                assertTrue(jar.getEntry(name) != null, path + " lacks " + name);
            }
            // the module: only the API package exported, JavaCPP required, the Vector API optional
            assertTrue(jar.getEntry("module-info.class") != null, path + " lacks module-info.class");
            java.lang.module.ModuleDescriptor module;
            try (java.io.InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
                module = java.lang.module.ModuleDescriptor.read(in);
            }
            assertEquals("io.github.softmax4j", module.name());
            assertEquals(java.util.Set.of("io.github.softmax4j"), module.exports().stream()
                    .filter(e -> !e.isQualified()).map(java.lang.module.ModuleDescriptor.Exports::source)
                    .collect(java.util.stream.Collectors.toSet()), "exported packages");
            assertTrue(module.exports().stream().allMatch(e -> !e.isQualified()), "qualified exports");
            assertTrue(module.opens().isEmpty(), "opened packages");
            assertTrue(module.requires().stream().anyMatch(r -> r.name().equals("org.bytedeco.javacpp")
                    && r.modifiers().isEmpty()), "requires org.bytedeco.javacpp");
            assertTrue(module.requires().stream().anyMatch(r -> r.name().equals("jdk.incubator.vector")
                    && r.modifiers().contains(java.lang.module.ModuleDescriptor.Requires.Modifier.STATIC)),
                    "requires static jdk.incubator.vector");

            List<String> platforms = new ArrayList<>();
            if (!Boolean.getBoolean("softmax4j.skipNative")) {
                platforms.add(Loader.getPlatform());
            }
            for (String p : System.getProperty("softmax4j.expectPlatforms", "").split(",")) {
                if (!p.isBlank()) {
                    platforms.add(p.trim());
                }
            }
            for (String p : platforms) {
                String lib = NATIVES + p + "/" + (p.startsWith("windows") ? "jniNativeLib.dll"
                        : p.startsWith("macosx") ? "libjniNativeLib.dylib" : "libjniNativeLib.so");
                assertTrue(jar.getEntry(lib) != null, path + " has no natives for " + p + " (" + lib + ")");
            }
            List<String> present = new ArrayList<>();
            jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(NATIVES) && n.contains("jniNativeLib"))
                    .forEach(present::add);
            System.out.println("natives in " + path.getFileName() + ": " + present);

            String multiRelease = jar.getManifest().getMainAttributes().getValue("Multi-Release");
            boolean segments = jar.getEntry("META-INF/versions/22/io/github/softmax4j/SegmentSoftmax.class") != null;
            assertEquals(segments, "true".equals(multiRelease),
                    "Multi-Release is '" + multiRelease + "' but versions/22 SegmentSoftmax is "
                            + (segments ? "present" : "absent"));
            if (Runtime.version().feature() >= 22) {
                assertTrue(segments, "built on JDK " + Runtime.version().feature()
                        + " but the jar lacks the MemorySegment API (META-INF/versions/22)");
            }
            // java -jar: Diagnostics, with JavaCPP found beside the jar, in lib/ or in the repository layout
            java.util.jar.Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.github.softmax4j.Diagnostics", main.getValue("Main-Class"));
            String javacpp = "javacpp-" + Loader.class.getPackage().getImplementationVersion() + ".jar";
            assertEquals(List.of(javacpp, "lib/" + javacpp, "../../../../../org/bytedeco/javacpp/"
                    + Loader.class.getPackage().getImplementationVersion() + "/" + javacpp),
                    List.of(main.getValue("Class-Path").split(" ")), "Class-Path");
            assertFalse(jar.stream().anyMatch(e -> e.getName().endsWith(".cpp") || e.getName().endsWith("jpms.args")),
                    "build leftovers (.cpp, jpms.args) in the jar");
        }
    }
}
