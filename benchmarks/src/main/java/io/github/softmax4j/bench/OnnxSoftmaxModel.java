package io.github.softmax4j.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a one-node ONNX model, {@code y = Softmax(x, axis = -1)} with x and y float tensors of shape
 * [1, n] (n symbolic), as protobuf bytes, so the ONNX Runtime peer needs neither the onnx Python package
 * nor a model file in the repository.
 *
 * <p>Only what this model needs of the protobuf wire format: varints (wire type 0) and length-delimited
 * fields (wire type 2: strings and nested messages). Field numbers are those of onnx.proto (ModelProto,
 * GraphProto, NodeProto, AttributeProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto).
 */
final class OnnxSoftmaxModel {
    /** IR version 8 (ONNX 1.10+): old enough for every ONNX Runtime release that has opset 13. */
    static final long IR_VERSION = 8;
    /** Softmax-13 normalises over one axis (older opsets flatten the trailing dimensions). */
    static final long OPSET = 13;

    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;
    private static final long TENSOR_FLOAT = 1; // TensorProto.DataType.FLOAT
    private static final long ATTRIBUTE_INT = 2; // AttributeProto.AttributeType.INT

    private OnnxSoftmaxModel() {
    }

    static byte[] bytes(String input, String output) {
        byte[] axis = new Message()
                .string(1, "axis") // AttributeProto.name
                .int64(3, -1) // AttributeProto.i
                .int64(20, ATTRIBUTE_INT) // AttributeProto.type
                .done();
        byte[] node = new Message()
                .string(1, input) // NodeProto.input
                .string(2, output) // NodeProto.output
                .string(3, "softmax") // NodeProto.name
                .string(4, "Softmax") // NodeProto.op_type
                .message(5, axis) // NodeProto.attribute
                .done();
        byte[] graph = new Message()
                .message(1, node) // GraphProto.node
                .string(2, "softmax4j-bench-softmax") // GraphProto.name
                .message(11, valueInfo(input)) // GraphProto.input
                .message(12, valueInfo(output)) // GraphProto.output
                .done();
        byte[] opset = new Message().int64(2, OPSET).done(); // OperatorSetIdProto.version, default domain
        return new Message()
                .int64(1, IR_VERSION) // ModelProto.ir_version
                .string(2, "softmax4j-benchmarks") // ModelProto.producer_name
                .message(7, graph) // ModelProto.graph
                .message(8, opset) // ModelProto.opset_import
                .done();
    }

    /** A float tensor of shape [1, n]. */
    private static byte[] valueInfo(String name) {
        byte[] one = new Message().int64(1, 1).done(); // Dimension.dim_value
        byte[] symbolic = new Message().string(2, "n").done(); // Dimension.dim_param
        byte[] shape = new Message().message(1, one).message(1, symbolic).done(); // TensorShapeProto.dim
        byte[] tensor = new Message().int64(1, TENSOR_FLOAT).message(2, shape).done(); // elem_type, shape
        byte[] type = new Message().message(1, tensor).done(); // TypeProto.tensor_type
        return new Message().string(1, name).message(2, type).done(); // ValueInfoProto.name, type
    }

    /** A protobuf message under construction. */
    private static final class Message {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void varint(long v) {
            // 7 bits per byte, low first, high bit = more; negative int64 takes all 10 bytes (two's complement)
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        private void key(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        Message int64(int field, long value) {
            key(field, VARINT);
            varint(value);
            return this;
        }

        Message message(int field, byte[] encoded) {
            key(field, LENGTH_DELIMITED);
            varint(encoded.length);
            out.write(encoded, 0, encoded.length);
            return this;
        }

        Message string(int field, String s) {
            return message(field, s.getBytes(StandardCharsets.UTF_8));
        }

        byte[] done() {
            return out.toByteArray();
        }
    }
}
