package dev.courier.mqtt.transport.internal.protocol.dialect;

import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties.UserProperty;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of a packet's MQTT 5.0 properties; an MQTT 3.x packet has none, so every read gives
 * its default and flows read the same way on both versions.
 */
public final class InboundProperties {

  private static final InboundProperties NONE = new InboundProperties(MqttProperties.NO_PROPERTIES);

  private final MqttProperties properties;

  private InboundProperties(MqttProperties properties) {
    this.properties = properties;
  }

  /**
   * The properties of a variable header (null: none). Netty's {@link MqttProperties#isEmpty} looks
   * only at the single-valued properties, so a packet whose only properties are User Properties or
   * Subscription Identifiers must not be taken for one without any.
   */
  public static InboundProperties of(MqttProperties properties) {
    return properties == null || properties == MqttProperties.NO_PROPERTIES
        ? NONE : new InboundProperties(properties);
  }

  /** Whether the property is present. */
  public boolean has(MqttPropertyType type) {
    return properties.getProperty(type.value()) != null;
  }

  /** An integer property (byte, two byte, four byte or variable byte integer), or {@code absent}. */
  public long integer(MqttPropertyType type, long absent) {
    MqttProperties.MqttProperty<?> property = properties.getProperty(type.value());
    if (property == null) {
      return absent;
    }
    // Four Byte Integers are unsigned [MQTT-1.5.4]; Netty reads them into a signed int.
    return Integer.toUnsignedLong((Integer) property.value());
  }

  /** A UTF-8 string property, or null. */
  public String string(MqttPropertyType type) {
    MqttProperties.MqttProperty<?> property = properties.getProperty(type.value());
    return property == null ? null : (String) property.value();
  }

  /** A binary property, or null. */
  public byte[] binary(MqttPropertyType type) {
    MqttProperties.MqttProperty<?> property = properties.getProperty(type.value());
    return property == null ? null : (byte[]) property.value();
  }

  /** All Subscription Identifier properties. */
  public List<Integer> subscriptionIds() {
    List<Integer> ids = new ArrayList<>();
    for (MqttProperties.MqttProperty<?> property
        : properties.getProperties(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value())) {
      ids.add((Integer) property.value());
    }
    return ids;
  }

  /** The User Properties in the order sent. */
  public List<UserProperty> userProperties() {
    List<UserProperty> result = new ArrayList<>();
    for (MqttProperties.MqttProperty<?> property
        : properties.getProperties(MqttPropertyType.USER_PROPERTY.value())) {
      if (property instanceof MqttProperties.UserProperties pairs) {
        pairs.value().forEach(pair -> result.add(new UserProperty(pair.key, pair.value)));
      } else if (property instanceof MqttProperties.UserProperty pair) {
        result.add(new UserProperty(pair.value().key, pair.value().value));
      }
    }
    return result;
  }

  /**
   * The application-message properties of a PUBLISH (or a will), with the expiry made absolute.
   *
   * @param nowMillis the time of receipt
   */
  public MessageProperties message(long nowMillis) {
    if (this == NONE) {
      return MessageProperties.NONE;
    }
    long expiry = integer(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, 0);
    return new MessageProperties((int) integer(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, -1),
        string(MqttPropertyType.CONTENT_TYPE), string(MqttPropertyType.RESPONSE_TOPIC),
        binary(MqttPropertyType.CORRELATION_DATA), userProperties(),
        expiry == 0 ? 0 : nowMillis + expiry * 1000);
  }
}
