package io.github.softmax4j.internal;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API constants of {@link VectorKernel}, in their own class so that nothing touches
 * {@code jdk.incubator.vector} before the selection has checked that the module is present.
 */
final class VectorConstants {
    private VectorConstants() {
    }

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int W = SPECIES.length();
    /** Doubles in a vector of the same bit size: a float vector converts to two of them. */
    static final VectorSpecies<Double> DOUBLE_SPECIES = DoubleVector.SPECIES_PREFERRED;
    /** The int species of the same bit size, for building 2^k in the exponent field. */
    static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_PREFERRED;
    /** v * 2^23 == v << 23 (mod 2^32): a multiply, because C2 (JDK 17) does not intrinsify LSHL here. */
    static final IntVector SHIFT_23 = IntVector.broadcast(INT_SPECIES, 1 << 23);
    /** The bits of MAGIC_BIAS + 128 (k = n - e = 128): pow2's cap, which then gives +Inf for every k >= 128. */
    static final IntVector POW2_CAP = IntVector.broadcast(INT_SPECIES, ExpConstants.POW2_CAP_BITS);

    static final FloatVector LOG2E = FloatVector.broadcast(SPECIES, ExpConstants.LOG2E);
    static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(SPECIES, -ExpConstants.LN2_HI);
    static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(SPECIES, -ExpConstants.LN2_LO);
    static final FloatVector C1 = FloatVector.broadcast(SPECIES, ExpConstants.C1);
    static final FloatVector C2 = FloatVector.broadcast(SPECIES, ExpConstants.C2);
    static final FloatVector C3 = FloatVector.broadcast(SPECIES, ExpConstants.C3);
    static final FloatVector C4 = FloatVector.broadcast(SPECIES, ExpConstants.C4);
    static final FloatVector C5 = FloatVector.broadcast(SPECIES, ExpConstants.C5);
    static final FloatVector C6 = FloatVector.broadcast(SPECIES, ExpConstants.C6);
    static final FloatVector ONE = FloatVector.broadcast(SPECIES, 1.0f);
    static final FloatVector MINUS_ONE = FloatVector.broadcast(SPECIES, -1.0f);
    /** Round-to-nearest-even by adding and subtracting 1.5 * 2^23 (exact for |v| < 2^22). */
    static final FloatVector ROUND_BIAS = FloatVector.broadcast(SPECIES, 0x1.8p23f);
    static final FloatVector MAGIC_BIAS = FloatVector.broadcast(SPECIES, ExpConstants.MAGIC_BIAS);
}
