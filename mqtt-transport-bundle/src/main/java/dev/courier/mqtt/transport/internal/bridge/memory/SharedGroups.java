package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared subscription groups of the bridge (MQTT 5.0 section 4.8.2), by key {@code
 * $share/{shareName}/{filter}}. A group exists while it has a member: the first subscription
 * makes it, the last member leaving removes it, and a later subscription starts a new one.
 *
 * <p>Threading: joining and leaving run under the group's map entry, which also adds the group to
 * the bridge's subscription trie (one entry, at its filter) and removes it, so a group is in the
 * trie exactly while it has members. Routing takes no lock: the one trie match that finds the
 * sessions also finds the groups (see {@link RouteCollector}).
 */
final class SharedGroups {

  private final InMemoryBridge bridge;
  private final ConcurrentHashMap<String, SharedGroup> byKey = new ConcurrentHashMap<>();

  SharedGroups(InMemoryBridge bridge) {
    this.bridge = bridge;
  }

  /**
   * Makes {@code session} a member of the request's group with {@code subscription}, creating the
   * group if needed, or replaces its subscription there.
   *
   * @return the group joined
   */
  SharedGroup join(SubscriptionRequest request, InMemorySession session,
      Subscription subscription) {
    return byKey.compute(request.key(), (key, group) -> {
      SharedGroup joined = group;
      if (joined == null) {
        joined = new SharedGroup(bridge, key, request.filter());
        bridge.addSubscription(request.filter(), joined, Subscription.GROUP);
      }
      joined.put(session, subscription);
      return joined;
    });
  }

  /** Takes {@code session} out of {@code group}; the group ends with its last member. */
  void leave(SharedGroup group, InMemorySession session) {
    byKey.computeIfPresent(group.key(), (key, current) -> {
      if (current != group) {
        return current; // that group ended already; this is a newer one
      }
      group.remove(session);
      if (!group.isEmpty()) {
        return group;
      }
      bridge.removeSubscription(group.filter(), group);
      return null;
    });
  }

  /** The group of a key, or null; for tests. */
  SharedGroup group(String key) {
    return byKey.get(key);
  }

  /** Number of groups. */
  int size() {
    return byKey.size();
  }
}
