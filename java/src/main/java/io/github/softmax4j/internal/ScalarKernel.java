package io.github.softmax4j.internal;

import static io.github.softmax4j.internal.ExpConstants.X_LO;
import static io.github.softmax4j.internal.ExpConstants.exponent;
import static io.github.softmax4j.internal.ExpConstants.mantissa;
import static io.github.softmax4j.internal.ExpConstants.pow2;

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
        float max = X_LO;
        for (int i = off; i < off + n; i++) {
            max = Math.max(max, x[i]); // Math.max propagates NaN
        }
        return max;
    }

    @Override
    double raddexp(float[] x, int off, int n, float e) {
        double s = 0;
        for (int i = off; i < off + n; i++) {
            float ni = exponent(x[i]);
            s += mantissa(x[i], ni) * pow2(ni - e);
        }
        return s;
    }

    @Override
    double raddstoreexp(float[] x, int xOff, float[] y, int yOff, int n, float e) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            float ni = exponent(xi);
            float z = mantissa(xi, ni) * pow2(ni - e);
            y[yOff + i] = z;
            s += z;
        }
        return s;
    }

    @Override
    void vscaleexp(float[] x, int xOff, float[] y, int yOff, int n, float inv, float e) {
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            float ni = exponent(xi);
            y[yOff + i] = mantissa(xi, ni) * inv * pow2(ni - e);
        }
    }


    @Override
    void vscale(float[] y, int off, int n, float inv) {
        for (int i = off; i < off + n; i++) {
            y[i] *= inv;
        }
    }
}
