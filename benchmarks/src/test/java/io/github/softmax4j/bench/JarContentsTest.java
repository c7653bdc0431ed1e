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

    /**
     * The per-platform jars beside the plain one ({@code softmax4j-<version>-<platform>.jar}, what
     * softmax4j-platform brings with {@code -Djavacpp.platform}): one for each platform whose natives the plain
     * jar carries and none for any other, each with every class, resource and manifest entry of the plain jar
     * and the natives of its own platform only.
     */
    @Test
    void everyPlatformHasItsOwnJar() throws IOException {
        Path plain = Path.of(System.getProperty("softmax4j.jar", "../java/target/softmax4j.jar"));
        String base = plain.getFileName().toString().replaceFirst("\\.jar$", "");
        java.util.Map<String, List<String>> byPlatform = new java.util.TreeMap<>();
        List<String> common = new ArrayList<>();
        java.util.jar.Manifest manifest;
        try (JarFile jar = new JarFile(plain.toFile())) {
            manifest = jar.getManifest();
            jar.stream().map(e -> e.getName()).filter(n -> !n.endsWith("/")).forEach(n -> {
                String p = platformOf(n);
                if (p == null) {
                    common.add(n);
                } else {
                    byPlatform.computeIfAbsent(p, k -> new ArrayList<>()).add(n);
                }
            });
        }
        for (String p : List.of("linux-x86_64", "linux-arm64", "windows-x86_64", "macosx-x86_64", "macosx-arm64")) {
            Path one = plain.resolveSibling(base + "-" + p + ".jar");
            assertEquals(byPlatform.containsKey(p), Files.isRegularFile(one),
                    "natives of " + p + (byPlatform.containsKey(p) ? "" : " not") + " in the plain jar, but "
                            + one.getFileName() + (Files.isRegularFile(one) ? " exists" : " does not exist"));
        }
        assertFalse(byPlatform.isEmpty() && !Boolean.getBoolean("softmax4j.skipNative"),
                "no natives at all in " + plain);
        for (java.util.Map.Entry<String, List<String>> e : byPlatform.entrySet()) {
            Path one = plain.resolveSibling(base + "-" + e.getKey() + ".jar");
            List<String> expected = new ArrayList<>(common);
            expected.addAll(e.getValue());
            List<String> actual = new ArrayList<>();
            try (JarFile jar = new JarFile(one.toFile())) {
                jar.stream().map(x -> x.getName()).filter(n -> !n.endsWith("/")).forEach(actual::add);
                assertEquals(manifest.getMainAttributes(), jar.getManifest().getMainAttributes(),
                        one.getFileName() + ": manifest");
            }
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(actual);
            List<String> extra = new ArrayList<>(actual);
            extra.removeAll(expected);
            assertTrue(missing.isEmpty() && extra.isEmpty(), one.getFileName() + " should hold the plain jar's "
                    + "entries but other platforms' natives; missing " + missing + ", extra " + extra);
            System.out.println(one.getFileName() + ": " + actual.size() + " entries, natives " + e.getValue());
        }
    }

    /** The JavaCPP platform folder an entry lies in (internal/&lt;os&gt;-&lt;arch&gt;/...), or null. */
    private static String platformOf(String entry) {
        if (!entry.startsWith(NATIVES)) {
            return null;
        }
        int slash = entry.indexOf('/', NATIVES.length());
        return slash < 0 ? null : entry.substring(NATIVES.length(), slash);
    }
}
