package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import org.apache.activemq.artemis.api.core.Message;

/**
 * The granted QoS and MQTT 5.0 options (section 3.8.3.1) of one subscription, as delivery needs
 * them. Immutable: a SUBSCRIBE that replaces the subscription swaps the whole object.
 *
 * @param qos the granted maximum QoS
 * @param noLocal never forward the session's own client's messages [MQTT-3.8.3-3]
 * @param retainAsPublished keep the RETAIN flag of forwarded messages [MQTT-3.3.1-12]
 *     [MQTT-3.3.1-13]
 * @param retainHandling 0, 1 or 2 (section 3.8.3.1)
 * @param ids the Subscription Identifier as a one-element array, shared by every delivery made
 *     through this subscription alone, or {@link ArtemisSession#NO_IDS}; never modified
 */
record SubscriptionOptions(int qos, boolean noLocal, boolean retainAsPublished,
    int retainHandling, int[] ids) {

  /** The options a request asks for; its QoS is granted as requested. */
  static SubscriptionOptions of(SubscriptionRequest request) {
    int id = request.subscriptionId();
    return new SubscriptionOptions(request.qos(), request.noLocal(), request.retainAsPublished(),
        request.retainHandling(), id == 0 ? ArtemisSession.NO_IDS : new int[] {id});
  }

  /** The subscription identifier, or 0 for none. */
  int id() {
    return ids.length == 0 ? 0 : ids[0];
  }

  /**
   * Whether this subscription forwards {@code message} to the session of {@code clientId}: not
   * if No Local is set and the session's own client published it [MQTT-3.8.3-3].
   */
  boolean admits(Message message, String clientId) {
    return !noLocal || !clientId.equals(ArtemisMessages.publisherId(message));
  }

  /** As {@link #admits(Message, String)}, for a retained message's publisher. */
  boolean admits(String publisherId, String clientId) {
    return !noLocal || !clientId.equals(publisherId);
  }

  /**
   * Whether retained messages are sent at SUBSCRIBE: Retain Handling 0 always [MQTT-3.3.1-9], 1
   * only for a subscription that did not exist [MQTT-3.3.1-10], 2 never [MQTT-3.3.1-11].
   */
  boolean sendsRetained(boolean existed) {
    return retainHandling == 0 || (retainHandling == 1 && !existed);
  }
}
