package dev.courier.mqtt.transport.internal.protocol.dialect;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties.UserProperty;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;

/** Builds the MQTT 5.0 properties the server sends. */
public final class OutboundProperties {

  private OutboundProperties() {}

  /**
   * The properties of a PUBLISH to a client: the message's own, unchanged [MQTT-3.3.2-4]
   * [MQTT-3.3.2-17] [MQTT-3.3.2-20] [MQTT-3.3.2-22], the remaining expiry interval [MQTT-3.3.2-6],
   * the matching Subscription Identifiers [MQTT-3.3.4-3] and a topic alias (0: none).
   *
   * @return the properties, or null for none
   */
  public static MqttProperties publish(MessageProperties message, int[] subscriptionIds,
      int topicAlias, long nowMillis) {
    if (message.isEmpty() && subscriptionIds.length == 0 && topicAlias == 0) {
      return null;
    }
    MqttProperties properties = new MqttProperties();
    if (message.payloadFormat() >= 0) {
      integer(properties, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, message.payloadFormat());
    }
    if (message.expiresAtMillis() != 0) {
      long remaining = Math.max(1, (message.expiresAtMillis() - nowMillis + 999) / 1000);
      integer(properties, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, (int) remaining);
    }
    if (message.contentType() != null) {
      string(properties, MqttPropertyType.CONTENT_TYPE, message.contentType());
    }
    if (message.responseTopic() != null) {
      string(properties, MqttPropertyType.RESPONSE_TOPIC, message.responseTopic());
    }
    if (message.correlationData() != null) {
      properties.add(new MqttProperties.BinaryProperty(
          MqttPropertyType.CORRELATION_DATA.value(), message.correlationData()));
    }
    if (!message.userProperties().isEmpty()) {
      MqttProperties.UserProperties pairs = new MqttProperties.UserProperties();
      for (UserProperty property : message.userProperties()) {
        pairs.add(property.name(), property.value());
      }
      properties.add(pairs);
    }
    for (int id : subscriptionIds) {
      integer(properties, MqttPropertyType.SUBSCRIPTION_IDENTIFIER, id);
    }
    if (topicAlias != 0) {
      integer(properties, MqttPropertyType.TOPIC_ALIAS, topicAlias);
    }
    return properties;
  }

  /** Adds an integer property. */
  public static void integer(MqttProperties properties, MqttPropertyType type, int value) {
    properties.add(new MqttProperties.IntegerProperty(type.value(), value));
  }

  /** Adds a binary property. */
  public static void binary(MqttProperties properties, MqttPropertyType type, byte[] value) {
    properties.add(new MqttProperties.BinaryProperty(type.value(), value));
  }

  /** Adds a string property. */
  public static void string(MqttProperties properties, MqttPropertyType type, String value) {
    properties.add(new MqttProperties.StringProperty(type.value(), value));
  }
}
