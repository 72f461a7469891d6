package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ProtocolViolation;
import dev.courier.mqtt.transport.internal.protocol.dialect.InboundProperties;
import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.internal.topic.TopicSyntax;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The checks of a client PUBLISH's properties (MQTT 5.0 section 3.3.2.3). */
final class PublishProperties {

  private PublishProperties() {}

  /**
   * The message properties of a PUBLISH, checked.
   *
   * @throws ProtocolViolation for a Subscription Identifier from a client [MQTT-3.3.4-6], a
   *     Response Topic with wildcards [MQTT-3.3.2-14], or a payload that is not UTF-8 although
   *     the Payload Format Indicator says so [MQTT-3.3.2-4] (0x99)
   */
  static MessageProperties check(InboundProperties properties, byte[] payload) {
    MessageProperties message = properties.message(System.currentTimeMillis());
    if (message == MessageProperties.NONE) {
      return message;
    }
    if (properties.has(MqttPropertyType.SUBSCRIPTION_IDENTIFIER)) {
      throw new ProtocolViolation("MQTT-3.3.4-6", "Subscription Identifier in a client PUBLISH");
    }
    if (message.responseTopic() != null && !TopicSyntax.isValidTopicName(message.responseTopic())) {
      throw new ProtocolViolation("MQTT-3.3.2-14", "Response Topic is not a valid topic name");
    }
    if (message.payloadFormat() == 1 && !isUtf8(payload)) {
      throw new ProtocolViolation(ReasonCode.PAYLOAD_FORMAT_INVALID, "MQTT-3.3.2-4",
          "payload is not UTF-8 but its format indicator says it is");
    }
    return message;
  }

  private static boolean isUtf8(byte[] payload) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
