package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of one session by filter, which the bridge's subscription trie routes to.
 * Subscribing again with a filter replaces its subscription [MQTT-3.8.4-3].
 *
 * <p>Threading: changed on the session owner's thread (SUBSCRIBE, UNSUBSCRIBE) and when the session
 * ends, possibly on another thread; the map is concurrent for that.
 */
final class SessionSubscriptions {

  private final InMemoryBridge bridge;
  private final InMemorySession session;
  /** The session's subscriptions, by filter. */
  private final ConcurrentHashMap<String, Subscription> filters = new ConcurrentHashMap<>();

  SessionSubscriptions(InMemoryBridge bridge, InMemorySession session) {
    this.bridge = bridge;
    this.session = session;
  }

  /**
   * Adds or replaces subscriptions, then queues the retained messages that each subscription asks
   * for.
   *
   * @return the granted QoS per request, as requested
   */
  List<Integer> subscribe(List<SubscriptionRequest> requests) {
    List<Integer> granted = new ArrayList<>(requests.size());
    Subscription[] sendRetained = new Subscription[requests.size()];
    for (int i = 0; i < sendRetained.length; i++) {
      SubscriptionRequest request = requests.get(i);
      Subscription made = Subscription.of(request);
      if (made.sendsRetained(subscribe(request.filter(), made))) {
        sendRetained[i] = made;
      }
      granted.add(request.qos());
    }
    for (int i = 0; i < sendRetained.length; i++) {
      if (sendRetained[i] != null) {
        sendRetained(requests.get(i).filter(), sendRetained[i]);
      }
    }
    return granted;
  }

  /**
   * Queues the retained messages matching a new subscription, with RETAIN set (section 3.3.1.3),
   * the subscription's identifier [MQTT-3.3.4-3] and the messages' properties; No Local applies
   * to them too [MQTT-3.8.3-3]: a retained message this client published is not sent back.
   */
  private void sendRetained(String filter, Subscription subscription) {
    bridge.forEachRetained(filter, message -> {
      if (subscription.admits(session.clientId(), message.publisherId())) {
        session.enqueue(message, Math.min(message.qos(), subscription.qos()), true,
            subscription.ids());
      }
    });
  }

  /** @return whether the session had a subscription with that filter */
  private boolean subscribe(String filter, Subscription subscription) {
    boolean existed = filters.put(filter, subscription) != null;
    bridge.addSubscription(filter, session, subscription);
    return existed;
  }

  /** Removes subscriptions; filters not subscribed are ignored. */
  void unsubscribe(List<String> unsubscribed) {
    for (String filter : unsubscribed) {
      if (filters.remove(filter) != null) {
        bridge.removeSubscription(filter, session);
      }
    }
  }

  /** The session ends: removes every subscription. */
  void removeAll() {
    for (String filter : filters.keySet()) {
      bridge.removeSubscription(filter, session);
    }
    filters.clear();
  }
}
