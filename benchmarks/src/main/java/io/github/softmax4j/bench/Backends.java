package io.github.softmax4j.bench;

import java.util.ArrayList;
import java.util.List;

import io.github.softmax4j.Backend;
import io.github.softmax4j.Softmax;

/**
 * Prints what {@code benchmarks/run.sh} needs to choose JMH parameters on this machine, one
 * {@code key=value} per line: {@code available} (every backend that runs here, fastest first),
 * {@code best} (what {@link Softmax#get()} picked) and {@code bestNative} (the fastest native backend, or
 * empty). Run with the same JVM flags as the benchmarks, or the VECTOR backend is reported missing.
 */
public final class Backends {
    private Backends() {
    }

    public static void main(String[] args) {
        List<String> names = new ArrayList<>();
        String bestNative = "";
        for (Backend b : Softmax.available()) {
            names.add(b.name());
            if (b.isNative() && bestNative.isEmpty()) {
                bestNative = b.name();
            }
        }
        System.out.println("available=" + String.join(",", names));
        System.out.println("best=" + Softmax.get().backend());
        System.out.println("bestNative=" + bestNative);
    }
}
