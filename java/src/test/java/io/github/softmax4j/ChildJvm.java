package io.github.softmax4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Launches a main class of the test classpath in a child JVM (same java binary) and captures its output. */
final class ChildJvm {
    /** Lines of a child's output echoed to this JVM's (all of them are in the Result). */
    private static final int ECHOED = 200;

    private ChildJvm() {
    }

    static final class Result {
        final int exitCode;
        final List<String> lines;

        Result(int exitCode, List<String> lines) {
            this.exitCode = exitCode;
            this.lines = lines;
        }

        String output() {
            return String.join("\n", lines);
        }
    }

    /** The same JVM flags every run needs (parent pom: softmax4j.jvmFlags) plus extra, then main and args. */
    static Result run(List<String> jvmFlags, Class<?> main, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        return run(true, jvmFlags, main, timeoutSeconds, args);
    }

    /** As above; without {@code vectorModule} the child runs without {@code --add-modules jdk.incubator.vector}. */
    static Result run(boolean vectorModule, List<String> jvmFlags, Class<?> main, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot find this JVM's java binary"));
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        if (vectorModule) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        System.out.println("child JVM: " + String.join(" ", cmd).replace(System.getProperty("java.class.path"),
                "<test classpath>"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .split("\\R")) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                synchronized (lines) {
                    lines.add("!!! reading child output failed: " + e);
                }
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(10_000);
            throw new AssertionError("child JVM timed out after " + timeoutSeconds + " s:\n" + String.join("\n", lines));
        }
        reader.join();
        for (String l : lines.subList(0, Math.min(lines.size(), ECHOED))) {
            System.out.println("  | " + l);
        }
        if (lines.size() > ECHOED) {
            System.out.println("  | ... " + (lines.size() - ECHOED) + " more lines (e.g. a compilation log)");
        }
        return new Result(p.exitValue(), lines);
    }
}
