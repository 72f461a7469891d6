package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/**
 * An AUTH packet from the client (MQTT 5.0 section 3.15), read and checked against the connection's
 * Authentication Method.
 *
 * @param code the reason code: 0x18 Continue authentication or 0x19 Re-authenticate
 * @param data the Authentication Data, empty if absent
 */
record AuthPacket(ReasonCode code, byte[] data) {

  /**
   * Reads {@code message}.
   *
   * @param method the CONNECT's Authentication Method, or null if it had none
   * @throws ProtocolViolation for an AUTH the client may not send
   */
  static AuthPacket read(MqttMessage message, String method) {
    if (method == null) {
      throw new ProtocolViolation("MQTT-4.12.0-7",
          "AUTH without an Authentication Method in CONNECT");
    }
    if (!(message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader header)) {
      throw new ProtocolViolation("MQTT-3.15.2-1", "AUTH without a reason code");
    }
    int value = header.reasonCode() & 0xFF;
    if (value != ReasonCode.CONTINUE_AUTHENTICATION.value()
        && value != ReasonCode.RE_AUTHENTICATE.value()) {
      // 3.15.2.1: 0x00 Success is the server's alone.
      throw new ProtocolViolation("MQTT-3.15.2-1",
          "AUTH reason code 0x" + Integer.toHexString(value) + " is not one a client sends");
    }
    InboundProperties properties = InboundProperties.of(header.properties());
    if (!method.equals(properties.string(MqttPropertyType.AUTHENTICATION_METHOD))) {
      // 3.15.2.2.2 it must be present, and [MQTT-4.12.0-5] [MQTT-4.12.1-1] be the CONNECT's.
      throw new ProtocolViolation("MQTT-4.12.0-5",
          "AUTH without the CONNECT's Authentication Method");
    }
    byte[] data = properties.binary(MqttPropertyType.AUTHENTICATION_DATA);
    return new AuthPacket(ReasonCode.of(value), data == null ? new byte[0] : data);
  }
}
