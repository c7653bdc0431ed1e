/** The example as a module: run on the module path by examples/run-consumer.sh (and on the class path). */
module example.consumer {
    requires io.github.softmax4j;
}
