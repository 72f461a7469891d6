package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;

/**
 * One subscription of a session as the trie stores it: the granted QoS and the MQTT 5.0
 * subscription options that routing needs. Immutable; made once per SUBSCRIBE, read by every
 * routing thread.
 *
 * @param qos the granted maximum QoS
 * @param noLocal never forward the session's own client's messages [MQTT-3.8.3-3]
 * @param retainAsPublished keep the RETAIN flag of forwarded messages [MQTT-3.3.1-13]
 * @param retainHandling 0, 1 or 2 (section 3.8.3.1)
 * @param ids the Subscription Identifier as a one-element array shared by every delivery made
 *     through this subscription alone, or the shared empty array for none; never modified
 */
record Subscription(int qos, boolean noLocal, boolean retainAsPublished, int retainHandling,
    int[] ids) {

  /** The identifiers of a delivery without any: shared, never modified. */
  static final int[] NO_IDS = new int[0];

  /**
   * The trie's value for a shared group's entry: routing reads each member's own subscription,
   * never this one.
   */
  static final Subscription GROUP = new Subscription(0, false, false, 2, NO_IDS);

  /** The subscription a request asks for; its QoS is granted as requested. */
  static Subscription of(SubscriptionRequest request) {
    int id = request.subscriptionId();
    return new Subscription(request.qos(), request.noLocal(), request.retainAsPublished(),
        request.retainHandling(), id == 0 ? NO_IDS : new int[] {id});
  }

  /**
   * Whether this subscription forwards a message published by {@code publisherId} to the session
   * of {@code subscriberId}: not if No Local is set and they are the same client [MQTT-3.8.3-3].
   */
  boolean admits(String subscriberId, String publisherId) {
    return !noLocal || !subscriberId.equals(publisherId);
  }

  /**
   * Whether retained messages are sent for this subscription at SUBSCRIBE: Retain Handling 0
   * always [MQTT-3.3.1-9], 1 only for a new subscription [MQTT-3.3.1-10], 2 never
   * [MQTT-3.3.1-11].
   */
  boolean sendsRetained(boolean existed) {
    return retainHandling == 0 || (retainHandling == 1 && !existed);
  }
}
