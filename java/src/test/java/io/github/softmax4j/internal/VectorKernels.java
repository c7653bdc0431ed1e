package io.github.softmax4j.internal;

import org.junit.jupiter.api.Assumptions;

/** The Vector API kernel for the package's tests ({@code BackendCoverageTest} fails when it should run and did not). */
final class VectorKernels {
    private VectorKernels() {
    }

    /** A new {@link VectorKernel}; the test aborted, with a line in the output, when it cannot run here. */
    static JavaKernel orAbort(String what) {
        try {
            return new VectorKernel();
        } catch (UnsupportedOperationException | LinkageError e) { // a narrow species, or no module
            String why = "SKIPPED " + what + ": " + e;
            System.out.println("!!! " + why);
            Assumptions.abort(why);
            throw new AssertionError(why); // not reached
        }
    }
}
