package dev.courier.mqtt.transport.spi.bridge;

import java.util.Objects;

/**
 * What the transport asks of the bridge when a client connects.
 *
 * @param clientId the MQTT client identifier, never empty (the transport assigns one if needed)
 * @param cleanSession true to discard any stored session and make this one live only as long as
 *     the connection; false to resume or create a persistent session
 * @param maxQueuedMessages upper bound of messages the bridge may hold for this session while they
 *     wait to be polled; beyond it the bridge drops new messages and counts them
 * @since 0.1
 */
public record SessionRequest(String clientId, boolean cleanSession, int maxQueuedMessages) {

  /** Validates the arguments. */
  public SessionRequest {
    Objects.requireNonNull(clientId, "clientId");
    if (clientId.isEmpty()) {
      throw new IllegalArgumentException("clientId must not be empty");
    }
    if (maxQueuedMessages < 1) {
      throw new IllegalArgumentException("maxQueuedMessages must be positive: " + maxQueuedMessages);
    }
  }
}
