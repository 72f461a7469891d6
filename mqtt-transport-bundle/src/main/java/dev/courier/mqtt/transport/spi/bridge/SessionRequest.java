package dev.courier.mqtt.transport.spi.bridge;

import java.util.Objects;

/**
 * What the transport asks of the bridge when a client connects.
 *
 * @param clientId the MQTT client identifier, never empty (the transport assigns one if needed)
 * @param cleanSession true to discard any stored session (MQTT 3.1.1 Clean Session, MQTT 5.0 Clean
 *     Start); false to resume a stored one or create one
 * @param maxQueuedMessages upper bound of messages the bridge may hold for this session while they
 *     wait to be polled; beyond it the bridge drops new messages and counts them (see {@link
 *     #maxQueuedBytes} for the policy)
 * @param sessionExpirySeconds how long the bridge keeps the session once its connection ended
 *     (MQTT 5.0 section 3.1.2.11): 0 ends it with the connection, {@link #NEVER} keeps it until a
 *     clean start; the transport may change it at detach ({@link BridgeSession#detach(long)});
 *     since 0.4
 * @param maxQueuedBytes upper bound of the bytes of the messages the bridge holds for this session
 *     while they wait to be polled, counted as the bridge measures a message (at least its payload
 *     and topic); since 0.7. Both bounds apply, and the bridge drops what does not fit, counts it
 *     and logs it (throttled) with the client id. While the client is connected, a QoS 0 message
 *     beyond a bound is dropped, and QoS 1 and 2 messages are still taken up to twice the bounds
 *     (the bridge may slow their publishers down meanwhile) and dropped beyond; while it is away,
 *     every message beyond a bound is dropped, the newest first, so that what is queued stays in
 *     order. Deliveries a shared subscription's group offers the session beyond a bound go to
 *     another member instead.
 * @since 0.1
 */
public record SessionRequest(String clientId, boolean cleanSession, int maxQueuedMessages,
    long sessionExpirySeconds, long maxQueuedBytes) {

  /** A session expiry interval that never elapses [MQTT-3.1.2-11 ... 0xFFFFFFFF]. */
  public static final long NEVER = 0xFFFF_FFFFL;

  /**
   * The {@code maxQueuedBytes} of the constructors that do not take one: no bound in bytes, as
   * before 0.7.
   *
   * @since 0.7
   */
  public static final long UNBOUNDED_BYTES = Long.MAX_VALUE;

  /**
   * A request without a bound in bytes (the canonical constructor of 0.4 to 0.6).
   *
   * @since 0.4
   */
  public SessionRequest(String clientId, boolean cleanSession, int maxQueuedMessages,
      long sessionExpirySeconds) {
    this(clientId, cleanSession, maxQueuedMessages, sessionExpirySeconds, UNBOUNDED_BYTES);
  }

  /**
   * A request as from MQTT 3.1.1: a clean session ends with its connection, a persistent one is
   * kept until a clean session replaces it.
   */
  public SessionRequest(String clientId, boolean cleanSession, int maxQueuedMessages) {
    this(clientId, cleanSession, maxQueuedMessages, cleanSession ? 0 : NEVER);
  }

  /** Whether the session outlives its connection at all. */
  public boolean persistent() {
    return sessionExpirySeconds > 0;
  }

  /** Validates the arguments. */
  public SessionRequest {
    if (sessionExpirySeconds < 0 || sessionExpirySeconds > NEVER) {
      throw new IllegalArgumentException("sessionExpirySeconds out of range: "
          + sessionExpirySeconds);
    }
    Objects.requireNonNull(clientId, "clientId");
    if (clientId.isEmpty()) {
      throw new IllegalArgumentException("clientId must not be empty");
    }
    if (maxQueuedMessages < 1) {
      throw new IllegalArgumentException("maxQueuedMessages must be positive: " + maxQueuedMessages);
    }
    if (maxQueuedBytes < 1) {
      throw new IllegalArgumentException("maxQueuedBytes must be positive: " + maxQueuedBytes);
    }
  }
}
