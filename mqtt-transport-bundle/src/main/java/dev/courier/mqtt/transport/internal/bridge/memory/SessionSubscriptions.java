package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of one session by key ({@link SubscriptionRequest#key()}): its own, which the
 * bridge's subscription trie routes to, and its memberships of shared groups (MQTT 5.0 section
 * 4.8.2), which are independent of them. A key holds one subscription: subscribing again replaces
 * it [MQTT-3.8.4-3], whichever kind it was.
 *
 * <p>Threading: changed on the session owner's thread (SUBSCRIBE, UNSUBSCRIBE) and when the session
 * ends, possibly on another thread; the maps are concurrent for that. The map of shared groups is
 * made by the owner at the first shared subscription (most sessions have none) and read as empty
 * before.
 */
final class SessionSubscriptions {

  private final InMemoryBridge bridge;
  private final InMemorySession session;
  private final DeliveryQueue queue;
  /** The session's own subscriptions, by filter. */
  private final ConcurrentHashMap<String, Subscription> filters = new ConcurrentHashMap<>();
  /**
   * Shared subscriptions, by {@code $share/{shareName}/{filter}}: the group joined; made at the
   * first (owner's thread), else null.
   */
  private volatile ConcurrentHashMap<String, SharedGroup> groups;

  SessionSubscriptions(InMemoryBridge bridge, InMemorySession session, DeliveryQueue queue) {
    this.bridge = bridge;
    this.session = session;
    this.queue = queue;
  }

  /**
   * Adds or replaces subscriptions, then queues the retained messages that each new subscription
   * of the session's own asks for; a shared subscription gets none (MQTT 5.0 section 4.8.2).
   *
   * @return the granted QoS per request, as requested
   */
  List<Integer> subscribe(List<SubscriptionRequest> requests) {
    List<Integer> granted = new ArrayList<>(requests.size());
    Subscription[] sendRetained = new Subscription[requests.size()];
    for (int i = 0; i < sendRetained.length; i++) {
      SubscriptionRequest request = requests.get(i);
      Subscription made = Subscription.of(request);
      if (request.shared()) {
        subscribeShared(request, made);
      } else if (made.sendsRetained(subscribeOwn(request.filter(), made))) {
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

  /** @return whether the session had a subscription of its own with that filter */
  private boolean subscribeOwn(String filter, Subscription subscription) {
    ConcurrentHashMap<String, SharedGroup> joined = groups;
    SharedGroup shared = joined == null ? null : joined.remove(filter);
    if (shared != null) {
      leave(shared); // an MQTT 3.x filter "$share/..." replacing a 5.0 shared subscription
    }
    boolean existed = filters.put(filter, subscription) != null;
    bridge.addSubscription(filter, session, subscription);
    return existed;
  }

  private void subscribeShared(SubscriptionRequest request, Subscription subscription) {
    String key = request.key();
    if (filters.remove(key) != null) {
      bridge.removeSubscription(key, session);
    }
    ConcurrentHashMap<String, SharedGroup> joined = groups;
    if (joined == null) {
      joined = new ConcurrentHashMap<>();
      groups = joined;
    }
    joined.put(key, bridge.sharedGroups().join(request, session, subscription));
  }

  /**
   * Removes subscriptions by key; keys not subscribed are ignored.
   *
   * @return per key, in order, whether the session held it
   */
  List<Boolean> unsubscribe(List<String> keys) {
    List<Boolean> held = new ArrayList<>(keys.size());
    for (String key : keys) {
      held.add(unsubscribe(key));
    }
    return held;
  }

  private boolean unsubscribe(String key) {
    if (filters.remove(key) != null) {
      bridge.removeSubscription(key, session);
      return true;
    }
    ConcurrentHashMap<String, SharedGroup> joined = groups;
    SharedGroup shared = joined == null ? null : joined.remove(key);
    if (shared == null) {
      return false;
    }
    leave(shared);
    return true;
  }

  /**
   * Leaves a group and hands the deliveries it queued here and not handed out yet to the other
   * members; those in flight stay for this session to complete, and so do queued ones no other
   * member can take (the session may still deliver what it holds).
   */
  private void leave(SharedGroup group) {
    bridge.sharedGroups().leave(group, session);
    queue.handOver(entry -> entry.group() == group
        && group.offer(entry.publication(), false) != null);
  }

  /** The session ends: removes every subscription; its deliveries are the session's to hand on. */
  void removeAll() {
    for (String filter : filters.keySet()) {
      bridge.removeSubscription(filter, session);
    }
    filters.clear();
    ConcurrentHashMap<String, SharedGroup> joined = groups;
    if (joined != null) {
      for (SharedGroup group : joined.values()) {
        bridge.sharedGroups().leave(group, session);
      }
      joined.clear();
    }
  }
}
