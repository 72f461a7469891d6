package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.topic.RetainedIndex;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The retained messages of the in-memory bridge, one per topic, kept as published (properties
 * and absolute expiry included) and let go of once expired [MQTT-3.3.2-5].
 *
 * <p>Threading: lookups take no lock. Writes (a retained publication, the removal of an expired
 * one) serialise on one lock, so that removing an expired message can never remove a newer one
 * stored in between; the retained index serialises its writers anyway, so the lock adds no
 * contention. Messages with an expiry are also listed by topic, so that the sweep visits only
 * those.
 */
final class RetainedMessages {

  private final RetainedIndex<Publication> index = new RetainedIndex<>();
  /** Topic to retained message, for the retained messages that have an expiry. */
  private final ConcurrentHashMap<String, Publication> expiring = new ConcurrentHashMap<>();
  private final Object writeLock = new Object();

  /**
   * Stores a retained publication, replacing the topic's earlier one [MQTT-3.3.1-5]; an empty
   * payload removes it and is not stored [MQTT-3.3.1-6] [MQTT-3.3.1-7].
   *
   * @return whether the message stored has an expiry (the sweep has work)
   */
  boolean store(Publication publication) {
    String topic = publication.topic();
    boolean expires = publication.payload().length > 0
        && publication.properties().expiresAtMillis() != 0;
    synchronized (writeLock) {
      if (publication.payload().length == 0) {
        index.remove(topic);
      } else {
        index.put(topic, publication);
      }
      if (expires) {
        expiring.put(topic, publication);
      } else if (!expiring.isEmpty()) {
        expiring.remove(topic);
      }
    }
    return expires;
  }

  /**
   * Visits the retained messages matching {@code filter} that have not expired at {@code now};
   * those that have are removed instead.
   *
   * @return how many expired messages were removed
   */
  int forEach(String filter, long now, Consumer<Publication> visitor) {
    int[] expired = {0};
    index.match(filter, message -> {
      if (message.properties().expired(now)) {
        expired[0] += removeIfCurrent(message) ? 1 : 0;
      } else {
        visitor.accept(message);
      }
    });
    return expired[0];
  }

  /**
   * Removes every retained message expired at {@code now}.
   *
   * @return how many were removed
   */
  int sweep(long now) {
    int removed = 0;
    Iterator<Map.Entry<String, Publication>> entries = expiring.entrySet().iterator();
    while (entries.hasNext()) {
      Publication message = entries.next().getValue();
      if (message.properties().expired(now) && removeIfCurrent(message)) {
        removed++;
      }
    }
    return removed;
  }

  /** Removes {@code message} if it is still its topic's retained message. */
  private boolean removeIfCurrent(Publication message) {
    String topic = message.topic();
    synchronized (writeLock) {
      expiring.remove(topic, message);
      if (index.get(topic) != message) {
        return false; // replaced or cleared meanwhile
      }
      index.remove(topic);
      return true;
    }
  }

  int size() {
    return index.size();
  }
}
