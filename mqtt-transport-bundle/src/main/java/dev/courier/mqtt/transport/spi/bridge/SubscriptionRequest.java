package dev.courier.mqtt.transport.spi.bridge;

import dev.courier.mqtt.transport.spi.topic.SharedSubscriptions;
import java.util.Objects;

/**
 * One topic filter of a SUBSCRIBE, with its MQTT 5.0 subscription options (MQTT 5.0 section
 * 3.8.3.1); an MQTT 3.x subscription has the defaults: no No Local, no Retain As Published, Retain
 * Handling 0, no identifier.
 *
 * @param filter a valid MQTT topic filter, possibly with {@code +} and {@code #}
 * @param qos the maximum QoS requested, 0 to 2
 * @param noLocal do not deliver messages this session's own client published [MQTT-3.8.3-3];
 *     since 0.4
 * @param retainAsPublished deliver with the RETAIN flag as published, not cleared [MQTT-3.3.1-12]
 *     [MQTT-3.3.1-13]; since 0.4
 * @param retainHandling 0: send retained messages at subscribe; 1: only if the subscription did
 *     not exist [MQTT-3.3.1-10]; 2: never [MQTT-3.3.1-11]; since 0.4
 * @param subscriptionId the Subscription Identifier, 1 to 268,435,455, or 0 for none
 *     [MQTT-3.8.2.1.2]; since 0.4
 * @param shareName for a shared subscription (MQTT 5.0 section 4.8.2, {@code
 *     $share/{shareName}/{filter}}) its ShareName, else null. The transport sends shared requests
 *     only to a bridge whose {@link MessagingBridge#sharedSubscriptions()} is true; such a
 *     subscription never has {@code noLocal} [MQTT-3.8.3-4], gets no retained messages when it is
 *     made (MQTT 5.0 section 4.8.2), and each message matching {@code filter} goes to one session
 *     of the group (the sessions holding a subscription with the same shareName and filter), at that
 *     session's QoS; since 0.5
 * @since 0.1
 */
public record SubscriptionRequest(String filter, int qos, boolean noLocal,
    boolean retainAsPublished, int retainHandling, int subscriptionId, String shareName) {

  /** A subscription with the MQTT 3.x defaults. */
  public SubscriptionRequest(String filter, int qos) {
    this(filter, qos, false, false, 0, 0, null);
  }

  /**
   * A subscription that is not shared (the canonical constructor of 0.4).
   *
   * @since 0.4
   */
  public SubscriptionRequest(String filter, int qos, boolean noLocal, boolean retainAsPublished,
      int retainHandling, int subscriptionId) {
    this(filter, qos, noLocal, retainAsPublished, retainHandling, subscriptionId, null);
  }

  /**
   * Whether this is a shared subscription.
   *
   * @return true if {@link #shareName()} is set
   * @since 0.5
   */
  public boolean shared() {
    return shareName != null;
  }

  /**
   * The filter as the client wrote it, which identifies the subscription within its session and is
   * what {@link BridgeSession#unsubscribe} receives: {@link #filter()}, or {@code
   * $share/{shareName}/{filter}} for a shared subscription.
   *
   * @return the subscription's key
   * @since 0.5
   */
  public String key() {
    return shareName == null ? filter : SharedSubscriptions.of(shareName, filter);
  }

  /** Validates the arguments. */
  public SubscriptionRequest {
    Objects.requireNonNull(filter, "filter");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
    }
    if (retainHandling < 0 || retainHandling > 2) {
      throw new IllegalArgumentException("retainHandling must be 0, 1 or 2: " + retainHandling);
    }
    if (subscriptionId < 0 || subscriptionId > 268_435_455) {
      throw new IllegalArgumentException("subscriptionId out of range: " + subscriptionId);
    }
    if (shareName != null && !SharedSubscriptions.isValidShareName(shareName)) {
      throw new IllegalArgumentException("invalid shareName");
    }
    if (shareName != null && noLocal) {
      throw new IllegalArgumentException("a shared subscription cannot have noLocal");
    }
  }
}
