package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.topic.RetainedIndex;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retained messages of the in-memory bridge, one per topic, kept as published (properties
 * and absolute expiry included) and let go of once expired [MQTT-3.3.2-5].
 *
 * <p>Threading: lookups take no lock. Writes (a retained publication, the removal of an expired
 * one) serialise on one lock, so that removing an expired message can never remove a newer one
 * stored in between; the retained index serialises its writers anyway, so the lock adds no
 * contention. Messages with an expiry are also listed by topic, so that the sweep visits only
 * those.
 *
 * <p>Bounds ({@link dev.courier.mqtt.transport.spi.bridge.MessagingBridge#limitRetained}): a
 * message counts its payload and topic; one for a new topic must fit both bounds, one replacing a
 * topic's message only its growth; clearing always works. The check and the write are one step
 * under the write lock, so concurrent publishers never take the store over a bound.
 */
final class RetainedMessages {

  private static final Logger LOG = LoggerFactory.getLogger(RetainedMessages.class);

  private final RetainedIndex<Publication> index = new RetainedIndex<>();
  /** Topic to retained message, for the retained messages that have an expiry. */
  private final ConcurrentHashMap<String, Publication> expiring = new ConcurrentHashMap<>();
  private final Object writeLock = new Object();
  /** Bytes of the messages in {@link #index}; written under {@link #writeLock}. */
  private volatile long bytes;
  private volatile long maxMessages = Long.MAX_VALUE;
  private volatile long maxBytes = Long.MAX_VALUE;
  private final AtomicLong refused = new AtomicLong();

  /** The bounds in force from now on; nothing held is removed. */
  void limit(long messages, long byteBound) {
    this.maxMessages = messages;
    this.maxBytes = byteBound;
  }

  /**
   * Stores a retained publication, replacing the topic's earlier one [MQTT-3.3.1-5]; an empty
   * payload removes it and is not stored [MQTT-3.3.1-6] [MQTT-3.3.1-7]. One that would take the
   * store over a bound is refused, counted and logged; nothing changes then.
   *
   * @return false if refused
   */
  boolean store(Publication publication) {
    String topic = publication.topic();
    boolean expires = publication.payload().length > 0
        && publication.properties().expiresAtMillis() != 0;
    synchronized (writeLock) {
      if (publication.payload().length == 0) {
        forget(index.remove(topic));
      } else {
        Publication previous = index.get(topic);
        long size = bytesOf(publication);
        long growth = size - (previous == null ? 0 : bytesOf(previous));
        String bound = previous == null && index.size() >= maxMessages ? "maxRetainedMessages"
            : growth > 0 && bytes + growth > maxBytes ? "maxRetainedBytes" : null;
        if (bound != null) {
          refuse(publication, bound);
          return false;
        }
        index.put(topic, publication);
        bytes += growth;
      }
      if (expires) {
        expiring.put(topic, publication);
      } else if (!expiring.isEmpty()) {
        expiring.remove(topic);
      }
    }
    return true;
  }

  /** What a retained message weighs against {@code maxRetainedBytes}: its payload and topic. */
  private static long bytesOf(Publication message) {
    return DeliveryQueue.bytesOf(message.topic(), message.payload());
  }

  /** A message left the index (under the write lock); null for none. */
  private void forget(Publication removed) {
    if (removed != null) {
      bytes -= bytesOf(removed);
    }
  }

  private void refuse(Publication publication, String bound) {
    long count = refused.incrementAndGet();
    if (DropCounter.logged(count) > 0) {
      LOG.warn("Retained message of client {} on {} refused: {} reached ({} retained messages, {}"
          + " bytes; maxRetainedMessages {}, maxRetainedBytes {}); {} refused so far",
          publication.publisherId(), publication.topic(), bound, index.size(), bytes,
          maxMessages, maxBytes, count);
    }
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
      forget(index.remove(topic));
      return true;
    }
  }

  int size() {
    return index.size();
  }

  /** Bytes of the retained messages held (payload and topic of each). */
  long bytes() {
    return bytes;
  }

  /** Retained publications refused because a bound was reached, since start. */
  long refused() {
    return refused.get();
  }
}
