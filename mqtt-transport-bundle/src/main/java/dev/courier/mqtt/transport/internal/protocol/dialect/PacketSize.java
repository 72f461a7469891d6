package dev.courier.mqtt.transport.internal.protocol.dialect;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * The encoded size of a packet the server is about to send, computed without encoding it, to keep
 * to a client's Maximum Packet Size (MQTT 5.0 section 3.1.2.11.4).
 */
public final class PacketSize {

  private PacketSize() {}

  /**
   * The whole encoded size of a PUBLISH (fixed header, variable header, properties, payload), as
   * sent on 5.0; a 3.x PUBLISH is one byte smaller.
   *
   * @param properties its properties, or null for none
   */
  public static long publish(String topic, int qos, int payloadLength, MqttProperties properties) {
    long remaining = 2L + ByteBufUtil.utf8Bytes(topic) + (qos > 0 ? 2 : 0) + payloadLength;
    if (properties != null && properties != MqttProperties.NO_PROPERTIES) {
      long length = properties(properties);
      remaining += varIntSize(length) + length;
    } else {
      remaining += 1; // the property length 0
    }
    return 1 + varIntSize(remaining) + remaining;
  }

  private static long properties(MqttProperties properties) {
    long length = 0;
    for (MqttProperties.MqttProperty<?> property : properties.listAll()) {
      length += 1 + value(property);
    }
    return length;
  }

  private static long value(MqttProperties.MqttProperty<?> property) {
    Object value = property.value();
    if (property instanceof MqttProperties.UserProperties pairs) {
      long length = 0;
      for (MqttProperties.StringPair pair : pairs.value()) {
        length += 5 + ByteBufUtil.utf8Bytes(pair.key) + ByteBufUtil.utf8Bytes(pair.value);
      }
      return length - 1; // the identifier byte of the first pair is counted by the caller
    }
    if (value instanceof String text) {
      return 2 + ByteBufUtil.utf8Bytes(text);
    }
    if (value instanceof byte[] bytes) {
      return 2 + bytes.length;
    }
    int id = property.propertyId();
    if (id == MqttProperties.MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value()) {
      return 1;
    }
    if (id == MqttProperties.MqttPropertyType.TOPIC_ALIAS.value()) {
      return 2;
    }
    if (id == MqttProperties.MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value()) {
      return varIntSize((Integer) value);
    }
    return 4;
  }

  private static int varIntSize(long value) {
    return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
  }
}
