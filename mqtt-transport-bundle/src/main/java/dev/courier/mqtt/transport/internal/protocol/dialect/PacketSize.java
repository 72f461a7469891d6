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

  /**
   * The whole encoded size of a 5.0 packet whose only property is a Reason String: fixed header,
   * Remaining Length, {@code otherBytes}, Property Length and the property (identifier byte, two
   * length bytes, the UTF-8 bytes).
   *
   * @param otherBytes the rest of its variable header and its payload: 3 for PUBACK to PUBCOMP
   *     (packet id, reason code), 2 and a byte per code for SUBACK and UNSUBACK, 2 for CONNACK
   *     (flags, reason code), 1 for DISCONNECT (reason code)
   * @param reasonBytes the length of the Reason String in UTF-8
   */
  public static long withReasonString(int otherBytes, int reasonBytes) {
    long properties = 3L + reasonBytes;
    long remaining = otherBytes + varIntSize(properties) + properties;
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
