package io.github.softmax4j.internal;

import static io.github.softmax4j.internal.ExpConstants.exponent;
import static io.github.softmax4j.internal.ExpConstants.mantissa;
import static io.github.softmax4j.internal.ExpConstants.pow2;
import static io.github.softmax4j.internal.ExpConstants.xlo;

import io.github.softmax4j.Algorithm;
import io.github.softmax4j.Backend;

/**
 * Plain scalar Java: runs on every JVM, the floor of the backends. Same numerics as the vector backends,
 * except that sums accumulate in double (as fast as float here, and more exact).
 */
public final class ScalarKernel extends JavaKernel {
    @Override
    public Backend backend() {
        return Backend.SCALAR;
    }

    @Override
    float rmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY; // no floor here: exponent() clamps at xlo(s), which depends on s
        for (int i = off; i < off + n; i++) {
            max = Math.max(max, x[i]); // Math.max propagates NaN
        }
        return max;
    }

    @Override
    double raddexp(float[] x, int off, int n, float s, float e) {
        float xlo = xlo(s);
        double sum = 0;
        for (int i = off; i < off + n; i++) {
            float ni = exponent(x[i], s, xlo);
            sum += mantissa(x[i], s, xlo, ni) * pow2(ni - e);
        }
        return sum;
    }

    @Override
    double raddstoreexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float e) {
        float xlo = xlo(s);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            float ni = exponent(xi, s, xlo);
            float z = mantissa(xi, s, xlo, ni) * pow2(ni - e);
            y[yOff + i] = z;
            sum += z;
        }
        return sum;
    }

    @Override
    void vscaleexp(float[] x, int xOff, float[] y, int yOff, int n, float s, float inv, float e) {
        float xlo = xlo(s);
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            float ni = exponent(xi, s, xlo);
            y[yOff + i] = mantissa(xi, s, xlo, ni) * inv * pow2(ni - e);
        }
    }

    @Override
    void vscale(float[] y, int off, int n, float invHi, float invLo) {
        for (int i = off; i < off + n; i++) {
            y[i] = invLo == 0 ? y[i] * invHi : Fma.fma(y[i], invHi, y[i] * invLo);
        }
    }

    @Override
    void vmuladdc(float[] x, int xOff, float[] y, int yOff, int n, float s, float c, float cLo) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Fma.fma(x[xOff + i], s, c) + cLo;
        }
    }

    @Override
    ScalarF64.Ops f64() {
        return ScalarF64.SCALAR;
    }
}
