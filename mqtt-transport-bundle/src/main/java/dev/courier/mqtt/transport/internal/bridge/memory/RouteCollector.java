package dev.courier.mqtt.transport.internal.bridge.memory;

import java.util.function.BiConsumer;

/**
 * Collects the sessions matched by one publication, keeping each session once with the highest QoS
 * of its matching subscriptions [MQTT-3.3.5-1]. Reused per thread so that routing does not allocate;
 * a linear scan is cheaper than hashing for the usual handful of matches.
 */
final class RouteCollector implements BiConsumer<InMemorySession, Integer> {

  private InMemorySession[] sessions = new InMemorySession[8];
  private int[] qos = new int[8];
  private int size;
  /** Beyond this many matches, an identity index replaces the linear scan (large fan-out). */
  private static final int LINEAR_LIMIT = 16;
  private final java.util.IdentityHashMap<InMemorySession, Integer> index =
      new java.util.IdentityHashMap<>();

  @Override
  public void accept(InMemorySession session, Integer subscribedQos) {
    int q = subscribedQos;
    if (size < LINEAR_LIMIT) {
      for (int i = 0; i < size; i++) {
        if (sessions[i] == session) {
          qos[i] = Math.max(qos[i], q);
          return;
        }
      }
    } else {
      if (index.isEmpty()) {
        for (int i = 0; i < size; i++) {
          index.put(sessions[i], i);
        }
      }
      Integer at = index.get(session);
      if (at != null) {
        qos[at] = Math.max(qos[at], q);
        return;
      }
      index.put(session, size);
    }
    if (size == sessions.length) {
      sessions = java.util.Arrays.copyOf(sessions, size * 2);
      qos = java.util.Arrays.copyOf(qos, size * 2);
    }
    sessions[size] = session;
    qos[size] = q;
    size++;
  }

  int size() {
    return size;
  }

  InMemorySession session(int i) {
    return sessions[i];
  }

  int qos(int i) {
    return qos[i];
  }

  void clear() {
    java.util.Arrays.fill(sessions, 0, size, null);
    if (!index.isEmpty()) {
      index.clear();
    }
    size = 0;
  }
}
