package dev.courier.mqtt.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttMessageType;

import java.nio.charset.StandardCharsets;

/**
 * The publisher's PUBLISH encoder and the acknowledgement encoder of both roles, writing the same bytes as
 * MqttEncoder into a caller's buffer, so that a burst of packets shares one pooled buffer.
 *
 * <p>A case's PUBLISHes differ only in packet id and payload: the fixed header, Remaining Length, topic length and
 * topic are encoded once into {@code prefix}; per message only the packet id, the 5.0 property length (always 0:
 * an empty property block, §3.3.2.3) and the payload are written. Not thread-safe; one instance per publisher.
 */
final class FastPathEncoder {

    private final byte[] prefix;
    private final boolean hasPacketId;
    private final boolean v5;
    private final int payloadSize;
    private final int packetSize;

    FastPathEncoder(ProtocolVersion version, String topic, int qos, int payloadSize) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        this.hasPacketId = qos > 0;
        this.v5 = version.isV5();
        this.payloadSize = payloadSize;
        int remaining = 2 + topicBytes.length + (hasPacketId ? 2 : 0) + (v5 ? 1 : 0) + payloadSize;
        int lengthBytes = variableByteIntegerSize(remaining);
        this.packetSize = 1 + lengthBytes + remaining;
        this.prefix = new byte[1 + lengthBytes + 2 + topicBytes.length];
        int i = 0;
        prefix[i++] = (byte) (0x30 | qos << 1);   // PUBLISH, DUP 0, QoS, RETAIN 0 (§3.3.1)
        int len = remaining;
        do {
            int digit = len & 0x7f;
            len >>>= 7;
            prefix[i++] = (byte) (len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        prefix[i++] = (byte) (topicBytes.length >>> 8);
        prefix[i++] = (byte) topicBytes.length;
        System.arraycopy(topicBytes, 0, prefix, i, topicBytes.length);
    }

    /** Bytes of one PUBLISH packet, fixed header included: what the broker's Maximum Packet Size is compared with. */
    int packetSize() {
        return packetSize;
    }

    /** Appends one PUBLISH; {@code out} must have {@link #packetSize()} writable bytes. */
    void writePublish(ByteBuf out, int packetId, int publisher, long seq, long nanoTime, byte phase) {
        out.writeBytes(prefix);
        if (hasPacketId) {
            out.writeShort(packetId);
        }
        if (v5) {
            out.writeByte(0);     // Property Length 0
        }
        Payload.write(out, payloadSize, publisher, seq, nanoTime, phase);
    }

    /** Bytes {@link #writeAck} appends. */
    static int ackSize(boolean v5) {
        return v5 ? 6 : 4;
    }

    /**
     * Appends a PUBACK, PUBREC, PUBREL or PUBCOMP. 3.1.1: fixed header and packet id (§3.4 to §3.7 of 3.1.1).
     * 5.0: also Reason Code 0x00 and Property Length 0, the full form of §3.4.2 to §3.7.2, so that the broker
     * reads the 5.0 variable header (the 2-byte short form, which MqttEncoder writes, would be the 3.1.1 bytes).
     */
    static void writeAck(ByteBuf out, boolean v5, MqttMessageType type, int packetId) {
        // PUBREL carries the fixed-header flags 0010 (§3.6.1)
        out.writeByte(type.value() << 4 | (type == MqttMessageType.PUBREL ? 0x02 : 0));
        if (v5) {
            out.writeByte(4);
            out.writeShort(packetId);
            out.writeShort(0);    // Reason Code 0x00 Success, Property Length 0
        } else {
            out.writeByte(2);
            out.writeShort(packetId);
        }
    }

    static int variableByteIntegerSize(int value) {
        return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
    }
}
