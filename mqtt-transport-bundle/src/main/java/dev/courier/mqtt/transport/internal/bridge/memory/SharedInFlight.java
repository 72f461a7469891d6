package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The shared deliveries of QoS 1 and 2 that one session handed out and its client has not
 * acknowledged yet, kept so that they can go to another member of their group if the session ends
 * first (MQTT 5.0 section 4.8.2). Ordinary deliveries are not kept: the transport holds its
 * in-flight copy.
 *
 * <p>Threading: written on the session owner's thread (poll, acknowledge); emptied when the
 * session ends, possibly on another thread once the owner is done with it. The map is made by the
 * owner at the first shared delivery it hands out, so a session without any holds none.
 */
final class SharedInFlight {

  /** Made at the first shared QoS 1/2 delivery handed out (owner's thread); else null. */
  private volatile ConcurrentHashMap<Long, SharedEntry> byTag;

  /**
   * A queue element is handed out.
   *
   * @param element a {@code Delivery} or a {@link SharedEntry}, or null
   * @return its delivery, or null
   */
  Delivery handedOut(Object element) {
    if (element instanceof SharedEntry entry) {
      Delivery delivery = entry.delivery();
      if (delivery.qos() > 0) {
        ConcurrentHashMap<Long, SharedEntry> held = byTag;
        if (held == null) {
          held = new ConcurrentHashMap<>();
          byTag = held;
        }
        held.put(delivery.tag(), entry);
      }
      return delivery;
    }
    return (Delivery) element;
  }

  /** The client completed delivery {@code tag}: cheap when the session holds no shared one. */
  void acknowledged(long tag) {
    ConcurrentHashMap<Long, SharedEntry> held = byTag;
    if (held != null && !held.isEmpty()) {
      held.remove(tag);
    }
  }

  /** The session ends: every unacknowledged shared delivery goes to {@code orphans}. */
  void endAll(Consumer<SharedEntry> orphans) {
    ConcurrentHashMap<Long, SharedEntry> held = byTag;
    if (held != null) {
      held.values().forEach(orphans);
      held.clear();
    }
  }
}
