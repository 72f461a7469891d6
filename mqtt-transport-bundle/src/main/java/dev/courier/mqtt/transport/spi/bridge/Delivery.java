package dev.courier.mqtt.transport.spi.bridge;

import java.util.Objects;

/**
 * A message the bridge hands to one session for sending to its client.
 *
 * @param topic the topic name the message was published to
 * @param payload the payload, shared and never modified
 * @param qos the QoS to deliver with: the lower of the publication's and the subscription's
 *     [MQTT-3.8.4-6]
 * @param retain true when the message is sent because of a new subscription matching a retained
 *     message [MQTT-3.3.1-8]; for normal routing false [MQTT-3.3.1-9], or the publication's RETAIN
 *     flag for a subscription with Retain As Published [MQTT-3.3.1-13]
 * @param redelivery true if the bridge handed this message out before and it was not acknowledged
 *     (the transport sets DUP)
 * @param tag the bridge's identifier of this delivery, passed back to {@link
 *     BridgeSession#acknowledge(long)}; meaningful for QoS 1 and 2 only
 * @param properties the publication's properties and expiry, unchanged; since 0.4
 * @param subscriptionIds the Subscription Identifiers of this session's subscriptions that matched
 *     [MQTT-3.3.4-3], in any order, empty for none; since 0.4
 * @since 0.1
 */
public record Delivery(String topic, byte[] payload, int qos, boolean retain, boolean redelivery,
    long tag, MessageProperties properties, int[] subscriptionIds) {

  private static final int[] NO_IDS = new int[0];

  /** A delivery without properties or subscription identifiers. */
  public Delivery(String topic, byte[] payload, int qos, boolean retain, boolean redelivery,
      long tag) {
    this(topic, payload, qos, retain, redelivery, tag, MessageProperties.NONE, NO_IDS);
  }

  /** Validates the arguments. */
  public Delivery {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(subscriptionIds, "subscriptionIds");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
    }
  }

  @Override
  public String toString() {
    return "Delivery[topic=" + topic + ", qos=" + qos + ", retain=" + retain
        + ", redelivery=" + redelivery + ", tag=" + tag + ", bytes=" + payload.length + "]";
  }
}
