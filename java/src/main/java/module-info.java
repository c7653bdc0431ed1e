/**
 * softmax4j: softmax, log-softmax, log-sum-exp, cross-entropy and token sampling for the JVM, with native
 * AVX-512 / AVX2 / NEON kernels, a Vector API fallback and a scalar one, chosen at run time.
 *
 * <p>Only {@code io.github.softmax4j} is exported; the kernels, the selection and the JNI binding live in
 * {@code io.github.softmax4j.internal}, which user code cannot reach on the module path.
 *
 * <p>On the module path run the JVM with {@code --add-modules jdk.incubator.vector} (the Vector API backend;
 * optional) and, on JDK 22+, {@code --enable-native-access=org.bytedeco.javacpp,io.github.softmax4j}
 * (JavaCPP's loader loads the JNI library; this module binds the FFM downcalls of the segment API and of direct
 * buffers; on the class path the flag is {@code --enable-native-access=ALL-UNNAMED}).
 */
module io.github.softmax4j {
    requires org.bytedeco.javacpp;
    // optional at run time: the Vector API backend runs only when the module is resolved (--add-modules)
    requires static jdk.incubator.vector;

    exports io.github.softmax4j;
}
