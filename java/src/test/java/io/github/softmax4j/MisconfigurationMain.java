package io.github.softmax4j;

/**
 * Child-JVM entry of {@link MisconfigurationTest}: args "get-fails" (Softmax.get() must throw
 * IllegalStateException, on two calls) and "of-works" / "of-fails" (Softmax.of(SCALAR) must compute, or throw
 * IllegalArgumentException). Prints the messages and OK; exits 1 on any other outcome.
 */
public final class MisconfigurationMain {
    private MisconfigurationMain() {
    }

    public static void main(String[] args) {
        boolean getFails = args[0].equals("get-fails");
        boolean ofWorks = args[1].equals("of-works");
        for (int call = 0; call < 2; call++) {
            try {
                Softmax.get();
                if (getFails) {
                    fail("Softmax.get() did not throw");
                }
            } catch (IllegalStateException e) {
                System.out.println("get() #" + call + ": " + e.getMessage());
            } catch (Throwable t) {
                fail("Softmax.get() threw " + t);
            }
        }
        try {
            float[] p = Softmax.of(Backend.SCALAR).softmax(new float[] {1f, 2f});
            if (!ofWorks || Math.abs(p[0] + p[1] - 1f) > 1e-6f) {
                fail("Softmax.of(SCALAR) computed where it should not, or wrongly");
            }
        } catch (IllegalArgumentException e) {
            System.out.println("of(SCALAR): " + e.getMessage());
            if (ofWorks) {
                fail("Softmax.of(SCALAR) threw " + e);
            }
        }
        System.out.println("OK");
    }

    private static void fail(String why) {
        System.out.println("FAIL: " + why);
        System.exit(1);
    }
}
