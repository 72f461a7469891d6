package dev.courier.mqtt.benchmark;

import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * What a 5.0 CONNACK's properties (§3.2.2.3) ask of the client: Receive Maximum (the publisher's send quota),
 * Maximum Packet Size (no larger packet may be sent, [MQTT-3.2.2-15]), Maximum QoS ([MQTT-3.2.2-11]) and Server
 * Keep Alive (replaces the client's keep-alive, [MQTT-3.2.2-21]). A 3.1.1 CONNACK has no properties: the defaults.
 */
final class ServerLimits {

    /** Maximum Packet Size when absent: no limit beyond the protocol's (§3.2.2.3.6). */
    static final long NO_PACKET_SIZE_LIMIT = 268_435_460L;

    final int receiveMaximum;
    final long maximumPacketSize;
    final int maximumQos;
    /** Server Keep Alive in seconds, or -1 when the server sent none. */
    final int serverKeepAlive;
    /** The CONNACK's Reason String, or null. */
    final String reasonString;

    ServerLimits(int receiveMaximum, long maximumPacketSize, int maximumQos, int serverKeepAlive, String reasonString) {
        this.receiveMaximum = receiveMaximum;
        this.maximumPacketSize = maximumPacketSize;
        this.maximumQos = maximumQos;
        this.serverKeepAlive = serverKeepAlive;
        this.reasonString = reasonString;
    }

    static ServerLimits from(MqttProperties p) {
        int receiveMaximum = intProperty(p, MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM,
            SendQuota.DEFAULT_RECEIVE_MAXIMUM);
        // a four-byte integer: read it unsigned (MqttDecoder hands over a signed int)
        MqttProperties.MqttProperty<?> maxPacket =
            p.getProperty(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value());
        long maximumPacketSize = maxPacket == null ? NO_PACKET_SIZE_LIMIT
            : Integer.toUnsignedLong((Integer) maxPacket.value());
        int maximumQos = intProperty(p, MqttProperties.MqttPropertyType.MAXIMUM_QOS, 2);
        int keepAlive = intProperty(p, MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE, -1);
        MqttProperties.MqttProperty<?> reason = p.getProperty(MqttProperties.MqttPropertyType.REASON_STRING.value());
        return new ServerLimits(receiveMaximum, maximumPacketSize, maximumQos, keepAlive,
            reason == null ? null : String.valueOf(reason.value()));
    }

    /**
     * Why a publisher of {@code qos} writing packets of {@code packetSize} bytes cannot run against this server,
     * or null when it can.
     */
    String refusal(int qos, int packetSize) {
        if (receiveMaximum == 0) {
            return "CONNACK Receive Maximum is 0, which MQTT 5.0 forbids (§3.2.2.3.3)";
        }
        if (qos > maximumQos) {
            return "the broker's CONNACK Maximum QoS is " + maximumQos + ": a QoS " + qos + " case cannot run";
        }
        if (packetSize > maximumPacketSize) {
            return "the broker's CONNACK Maximum Packet Size is " + maximumPacketSize + " bytes but a PUBLISH of this"
                + " case is " + packetSize + " bytes: use a smaller --payload";
        }
        return null;
    }

    private static int intProperty(MqttProperties p, MqttProperties.MqttPropertyType type, int absent) {
        MqttProperties.MqttProperty<?> prop = p.getProperty(type.value());
        return prop == null ? absent : (Integer) prop.value();
    }
}
