package io.github.softmax4j.internal;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API constants of {@link VectorF64}, in their own class so that nothing touches
 * {@code jdk.incubator.vector} before the selection has checked that the module is present. Values are
 * those of {@link ScalarF64} (native/src/constants.h, S4J_F64_*).
 */
final class VectorF64Constants {
    private VectorF64Constants() {
    }

    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int W = SPECIES.length();
    /** The long species of the same bit size, for building 2^k in the exponent field. */
    static final VectorSpecies<Long> LONG_SPECIES = LongVector.SPECIES_PREFERRED;

    static final DoubleVector X_LO = DoubleVector.broadcast(SPECIES, ScalarF64.X_LO);
    static final DoubleVector LOG2E = DoubleVector.broadcast(SPECIES, ScalarF64.LOG2E);
    static final DoubleVector MINUS_LN2_HI = DoubleVector.broadcast(SPECIES, -ScalarF64.LN2_HI);
    static final DoubleVector MINUS_LN2_LO = DoubleVector.broadcast(SPECIES, -ScalarF64.LN2_LO);
    static final DoubleVector LO_MAX = DoubleVector.broadcast(SPECIES, ScalarF64.LO_MAX);
    static final DoubleVector MINUS_LO_MAX = DoubleVector.broadcast(SPECIES, -ScalarF64.LO_MAX);
    static final DoubleVector C2 = DoubleVector.broadcast(SPECIES, ScalarF64.C2);
    static final DoubleVector C3 = DoubleVector.broadcast(SPECIES, ScalarF64.C3);
    static final DoubleVector C4 = DoubleVector.broadcast(SPECIES, ScalarF64.C4);
    static final DoubleVector C5 = DoubleVector.broadcast(SPECIES, ScalarF64.C5);
    static final DoubleVector C6 = DoubleVector.broadcast(SPECIES, ScalarF64.C6);
    static final DoubleVector C7 = DoubleVector.broadcast(SPECIES, ScalarF64.C7);
    static final DoubleVector C8 = DoubleVector.broadcast(SPECIES, ScalarF64.C8);
    static final DoubleVector C9 = DoubleVector.broadcast(SPECIES, ScalarF64.C9);
    static final DoubleVector C10 = DoubleVector.broadcast(SPECIES, ScalarF64.C10);
    static final DoubleVector C11 = DoubleVector.broadcast(SPECIES, ScalarF64.C11);
    static final DoubleVector C12 = DoubleVector.broadcast(SPECIES, ScalarF64.C12);
    static final DoubleVector C13 = DoubleVector.broadcast(SPECIES, ScalarF64.C13);
    static final DoubleVector ONE = DoubleVector.broadcast(SPECIES, 1.0);
    /** Round-to-nearest-even by adding and subtracting 1.5 * 2^52 (exact for |v| < 2^51). */
    static final DoubleVector ROUND_BIAS = DoubleVector.broadcast(SPECIES, 0x1.8p52);
    static final DoubleVector K_MIN = DoubleVector.broadcast(SPECIES, ScalarF64.K_MIN);
    static final DoubleVector EXP2_MAGIC = DoubleVector.broadcast(SPECIES, ScalarF64.EXP2_MAGIC);
}
