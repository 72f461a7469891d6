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
 * session ends, possibly on another thread once the owner is done with it.
 */
final class SharedInFlight {

  private final ConcurrentHashMap<Long, SharedEntry> byTag = new ConcurrentHashMap<>();

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
        byTag.put(delivery.tag(), entry);
      }
      return delivery;
    }
    return (Delivery) element;
  }

  /** The client completed delivery {@code tag}: cheap when the session holds no shared one. */
  void acknowledged(long tag) {
    if (!byTag.isEmpty()) {
      byTag.remove(tag);
    }
  }

  /** The session ends: every unacknowledged shared delivery goes to {@code orphans}. */
  void endAll(Consumer<SharedEntry> orphans) {
    byTag.values().forEach(orphans);
    byTag.clear();
  }
}
