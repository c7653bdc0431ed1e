package io.github.softmax4j;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.provider.Arguments;

import io.github.softmax4j.internal.KernelSelector;

/** Parameter sources: every backend (skipped loudly when it cannot run here) x every algorithm. */
final class Backends {
    private Backends() {
    }

    static Stream<Backend> all() {
        return Stream.of(Backend.values());
    }

    static Stream<Arguments> allWithAlgorithms() {
        List<Arguments> out = new ArrayList<>();
        for (Backend b : Backend.values()) {
            for (Algorithm a : Algorithm.values()) {
                out.add(Arguments.of(b, a));
            }
        }
        return out.stream();
    }

    /** The backend's Softmax, or a skipped test that prints why the backend cannot run here. */
    static Softmax require(Backend b) {
        try {
            Softmax s = Softmax.of(b);
            return s;
        } catch (UnsupportedOperationException e) {
            String why = "SKIPPED backend " + b + " (cannot run on this machine): " + e.getMessage();
            System.out.println("!!! " + why);
            Assumptions.abort(why);
            throw new AssertionError();
        }
    }

    static KernelSelector.Config defaults() {
        return new KernelSelector.Config(null, null);
    }
}
