package io.github.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of the README is compiled against this build's classes and run, so that a
 * sample can never rot: its {@code import} lines become the compilation unit's imports and the rest the
 * body of a {@code main} method. A block that prints must print something; one that uses
 * {@code java.lang.foreign} (the JDK 22+ segment API) is compiled and run only on JDK 22+ and reported as
 * skipped (with the reason) below that.
 */
class ReadmeSamplesTest {

    /** A README code block: the line it starts on and its text. */
    record Block(int line, String text) {
    }

    static Path readme() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("native"))) {
                return d.resolve("README.md");
            }
        }
        throw new IllegalStateException("README.md of the repository not found above " + dir);
    }

    static List<Block> javaBlocks(List<String> lines) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            int start = i + 1;
            StringBuilder b = new StringBuilder();
            for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                b.append(lines.get(i)).append('\n');
            }
            out.add(new Block(start + 1, b.toString()));
        }
        return out;
    }

    @Test
    void theReadmeHasItsSamples() throws IOException {
        // quick start, operations, sampling, segments: a README that lost its blocks fails here
        assertTrue(javaBlocks(Files.readAllLines(readme())).size() >= 4, "README.md lost its Java samples");
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompilesAndRuns() throws IOException {
        List<Block> blocks = javaBlocks(Files.readAllLines(readme()));
        return blocks.stream().map(b -> DynamicTest.dynamicTest("README.md line " + b.line(), () -> run(b)));
    }

    private static void run(Block block) throws Exception {
        boolean segments = block.text().contains("java.lang.foreign");
        assumeTrue(!segments || Runtime.version().feature() >= 22,
                "README.md line " + block.line() + " uses the JDK 22+ segment API: compiled and run on JDK 22+ only");
        String name = "ReadmeSample" + block.line();
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String l : block.text().split("\n", -1)) {
            (l.startsWith("import ") ? imports : body).append(l).append('\n');
        }
        String source = imports + "public final class " + name + " {\n"
                + "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n";

        Path dir = Files.createTempDirectory("readme-sample");
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringWriter diagnostics = new StringWriter();
        boolean compiled = javac.getTask(diagnostics, null, null,
                List.of("-d", dir.toString(), "-cp", classPath, "-proc:none", "-Xlint:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file.toFile()))
                .call();
        assertTrue(compiled, "README.md line " + block.line() + " does not compile:\n" + diagnostics
                + "\nas compiled:\n" + source);

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                ReadmeSamplesTest.class.getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass(name).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } catch (InvocationTargetException e) {
            throw new AssertionError("README.md line " + block.line() + " threw when run", e.getCause());
        } finally {
            System.setOut(stdout);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        stdout.print(out);
        if (block.text().contains("System.out.print")) {
            assertFalse(out.isBlank(), "README.md line " + block.line() + " printed nothing");
        } else {
            assertEquals("", out);
        }
    }
}
