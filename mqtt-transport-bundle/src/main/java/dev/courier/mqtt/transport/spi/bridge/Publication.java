package dev.courier.mqtt.transport.spi.bridge;

import java.util.Objects;

/**
 * An application message published by an MQTT client (or a will), handed to the bridge for routing.
 *
 * <p>The payload array is shared, not copied: neither the bridge nor the transport may modify it
 * after construction. The same array may be delivered to many subscribers.
 *
 * @param topic the topic name; valid per MQTT (no wildcards, not empty)
 * @param payload the application payload, possibly empty, never null
 * @param qos the QoS the message was published with, 0 to 2
 * @param retain the RETAIN flag: store as the topic's retained message (an empty payload clears it)
 * @param publisherId client id of the publisher, for the bridge's bookkeeping and host properties
 * @param properties its MQTT 5.0 properties and expiry ({@link MessageProperties#NONE} for none);
 *     since 0.4
 * @since 0.1
 */
public record Publication(String topic, byte[] payload, int qos, boolean retain, String publisherId,
    MessageProperties properties) {

  /** A publication without properties (as from an MQTT 3.x client). */
  public Publication(String topic, byte[] payload, int qos, boolean retain, String publisherId) {
    this(topic, payload, qos, retain, publisherId, MessageProperties.NONE);
  }

  /** Validates the arguments. */
  public Publication {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(publisherId, "publisherId");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
    }
  }

  @Override
  public String toString() {
    // Never the payload: it may hold anything.
    return "Publication[topic=" + topic + ", qos=" + qos + ", retain=" + retain
        + ", bytes=" + payload.length + ", publisher=" + publisherId + "]";
  }
}
