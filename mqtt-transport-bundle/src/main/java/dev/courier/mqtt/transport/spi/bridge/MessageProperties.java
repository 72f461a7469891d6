package dev.courier.mqtt.transport.spi.bridge;

import java.util.List;
import java.util.Objects;

/**
 * The MQTT 5.0 properties of an application message that travel with it from publisher to
 * subscribers unchanged (MQTT 5.0 section 3.3.2.3): [MQTT-3.3.2-4] [MQTT-3.3.2-17] [MQTT-3.3.2-18]
 * [MQTT-3.3.2-20]. A message from an MQTT 3.x client, or one without properties, has {@link #NONE}.
 * A bridge stores them with the message and hands them back on every {@link Delivery} of it; a
 * bridge to another messaging system may map them to its own message properties.
 *
 * <p>Arrays are shared, not copied: nobody may modify them after construction.
 *
 * @param payloadFormat the Payload Format Indicator: -1 absent, 0 unspecified bytes, 1 UTF-8
 * @param contentType the Content Type, or null
 * @param responseTopic the Response Topic, or null
 * @param correlationData the Correlation Data, or null
 * @param userProperties the User Properties in the order sent (names may repeat), never null
 * @param expiresAtMillis when the message expires, epoch milliseconds (from the Message Expiry
 *     Interval at the time the server received it); 0: never
 * @since 0.4
 */
public record MessageProperties(int payloadFormat, String contentType, String responseTopic,
    byte[] correlationData, List<UserProperty> userProperties, long expiresAtMillis) {

  /** No properties, no expiry. */
  public static final MessageProperties NONE =
      new MessageProperties(-1, null, null, null, List.of(), 0);

  /** Validates the arguments and keeps an unmodifiable copy of the user properties. */
  public MessageProperties {
    if (payloadFormat < -1 || payloadFormat > 1) {
      throw new IllegalArgumentException("payloadFormat must be -1, 0 or 1: " + payloadFormat);
    }
    userProperties = List.copyOf(Objects.requireNonNull(userProperties, "userProperties"));
    if (expiresAtMillis < 0) {
      throw new IllegalArgumentException("expiresAtMillis must not be negative");
    }
  }

  /** Whether the message has expired at {@code nowMillis}. */
  public boolean expired(long nowMillis) {
    return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
  }

  /** Whether nothing is set: the message is as an MQTT 3.1.1 message. */
  public boolean isEmpty() {
    return payloadFormat < 0 && contentType == null && responseTopic == null
        && correlationData == null && userProperties.isEmpty() && expiresAtMillis == 0;
  }

  /** The same properties with another expiry. */
  public MessageProperties withExpiry(long atMillis) {
    return new MessageProperties(payloadFormat, contentType, responseTopic, correlationData,
        userProperties, atMillis);
  }

  @Override
  public String toString() {
    // Never the correlation data or user property values: they may hold anything.
    return "MessageProperties[payloadFormat=" + payloadFormat + ", contentType=" + contentType
        + ", responseTopic=" + responseTopic + ", correlationData="
        + (correlationData == null ? "none" : correlationData.length + " bytes")
        + ", userProperties=" + userProperties.size() + ", expiresAtMillis=" + expiresAtMillis
        + "]";
  }

  /**
   * One User Property: a UTF-8 string pair [MQTT-3.3.2-17].
   *
   * @param name the name
   * @param value the value
   */
  public record UserProperty(String name, String value) {

    /** Validates the arguments. */
    public UserProperty {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }
}
