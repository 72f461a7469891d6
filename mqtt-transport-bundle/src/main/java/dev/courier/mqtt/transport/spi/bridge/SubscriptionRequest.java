package dev.courier.mqtt.transport.spi.bridge;

import java.util.Objects;

/**
 * One topic filter of a SUBSCRIBE.
 *
 * @param filter a valid MQTT topic filter, possibly with {@code +} and {@code #}
 * @param qos the maximum QoS requested, 0 to 2
 * @since 0.1
 */
public record SubscriptionRequest(String filter, int qos) {

  /** Validates the arguments. */
  public SubscriptionRequest {
    Objects.requireNonNull(filter, "filter");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
    }
  }
}
