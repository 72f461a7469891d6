package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;

/** Checks every packet gets, whatever its exchange. */
public final class PacketRules {

  private PacketRules() {}

  /**
   * [MQTT-2.2.2-1] [MQTT-2.2.2-2] reserved fixed-header flags must be as the spec lists them; MQTT
   * 5.0 section 2.1.3 calls other flags a Malformed Packet.
   */
  public static void checkFlags(MqttFixedHeader header) {
    switch (header.messageType()) {
      case PUBLISH -> {
        if (header.isDup() && header.qosLevel() == MqttQoS.AT_MOST_ONCE) {
          throw new ProtocolViolation("MQTT-3.3.1-2", "DUP set on a QoS 0 PUBLISH");
        }
      }
      case PUBREL, SUBSCRIBE, UNSUBSCRIBE -> {
        if (header.isDup() || header.isRetain() || header.qosLevel() != MqttQoS.AT_LEAST_ONCE) {
          throw new ProtocolViolation(ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2",
              "reserved flags of " + header.messageType() + " are not 0010");
        }
      }
      default -> {
        if (header.isDup() || header.isRetain() || header.qosLevel() != MqttQoS.AT_MOST_ONCE) {
          throw new ProtocolViolation(ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2",
              "reserved flags of " + header.messageType() + " are not 0000");
        }
      }
    }
  }

  /** The packet identifier of an ack; [MQTT-2.3.1-1] it must have one. */
  public static int packetId(MqttMessage message) {
    Object header = message.variableHeader();
    if (!(header instanceof MqttMessageIdVariableHeader id)) {
      throw new ProtocolViolation("MQTT-2.3.1-1", "missing packet identifier");
    }
    return id.messageId();
  }
}
