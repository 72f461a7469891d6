package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded multi-producer queue of one session's deliveries, with publisher throttling and
 * message expiry.
 *
 * <p>Bounds: while a client is connected and its queue is above half of {@code maxQueuedMessages},
 * the {@code publish} stages of publishers routing to it stay incomplete until the queue drains to
 * a quarter: the transport then stops reading from those publishers (once each has {@code
 * maxInflightMessages} publications pending), so a slow subscriber slows publishers down instead of
 * losing their messages. A publisher is held back at most {@value Congestion#TIMEOUT_MILLIS} ms
 * per wait, so that clients publishing to each other cannot stall each other for good. Above the
 * bound, QoS 0 messages are dropped and counted; QoS 1 and 2 are still taken up to twice the
 * bound (the throttled publishers keep the overshoot small), then dropped and counted. A detached
 * (offline) session applies no pressure: it queues QoS 1 and 2 up to the bound (queueing QoS 0 for
 * offline clients is optional, [MQTT-3.1.2-5]) and drops newer ones beyond it, counted, so what is
 * queued stays in order.
 *
 * <p>Expiry [MQTT-3.3.2-5]: a message already expired is not queued; {@link #poll} skips expired
 * ones; a full queue first purges expired messages before it drops a new one, and the bridge's
 * sweep purges the queues of detached sessions once their earliest expiry has passed. Each expired
 * copy is counted. The clock is read only for messages that have an expiry.
 */
final class DeliveryQueue {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryQueue.class);

  private final InMemoryBridge bridge;
  private final String clientId;
  private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong tags = new AtomicLong();
  private final DropCounter drops;
  /** Earliest expiry among queued messages (a lower bound), {@code Long.MAX_VALUE} for none. */
  private final AtomicLong nextExpiry = new AtomicLong(Long.MAX_VALUE);
  private final Congestion congestion = new Congestion();
  private volatile int maxQueued;

  DeliveryQueue(InMemoryBridge bridge, String clientId, int maxQueued) {
    this.bridge = bridge;
    this.clientId = clientId;
    this.drops = new DropCounter(bridge);
    this.maxQueued = maxQueued;
  }

  void maxQueued(int bound) {
    this.maxQueued = bound;
  }

  /**
   * Queues a delivery of {@code publication}; called by routing threads concurrently.
   *
   * @param target the attached sink, or null while the session is offline
   * @return {@link InMemoryBridge#DONE}, or an incomplete stage while this queue is congested
   */
  CompletionStage<Void> offer(DeliverySink target, Publication publication, int qos,
      boolean retain, int[] subscriptionIds) {
    MessageProperties properties = publication.properties();
    long expiresAt = properties.expiresAtMillis();
    if (expiresAt != 0 && properties.expired(bridge.now())) {
      bridge.countExpired(1); // [MQTT-3.3.2-5]
      return InMemoryBridge.DONE;
    }
    int limit = maxQueued;
    // Online, QoS 1/2 may overshoot the bound while publishers routing here are throttled (see
    // Congestion); a hard ceiling of twice the bound still holds if throttling times out.
    long ceiling = target == null || qos == 0 ? limit : 2L * limit;
    int size = queued.incrementAndGet();
    if (size > ceiling && !roomAfterPurge(ceiling)) {
      drop(limit);
      return InMemoryBridge.DONE;
    }
    long tag = qos == 0 ? 0 : tags.incrementAndGet();
    queue.offer(new Delivery(publication.topic(), publication.payload(), qos, retain, false, tag,
        properties, subscriptionIds));
    if (expiresAt != 0) {
      // After the offer: a purge that resets the mark and rescans either sees this message or
      // runs after this lowers the mark again.
      nextExpiry.accumulateAndGet(expiresAt, Math::min);
    }
    if (target != null) {
      target.messagesAvailable();
      if (size > limit / 2) {
        return congestion.stage();
      }
    }
    return InMemoryBridge.DONE;
  }

  /** A full queue first lets go of its expired messages: is there room then? */
  private boolean roomAfterPurge(long ceiling) {
    if (nextExpiry.get() == Long.MAX_VALUE) {
      return false;
    }
    long now = bridge.now();
    return mayHoldExpired(now) && purgeExpired(now) > 0 && queued.get() <= ceiling;
  }

  private void drop(int limit) {
    queued.decrementAndGet();
    long dropped = drops.drop();
    if (dropped > 0) {
      LOG.warn("Session queue of client {} is full ({} messages): dropped {} message(s) so far",
          clientId, limit, dropped);
    }
  }

  /** Takes the next delivery that has not expired, or null. */
  Delivery poll() {
    Delivery next;
    while ((next = queue.poll()) != null) {
      int size = queued.decrementAndGet();
      if (size <= maxQueued / 4 && congestion.active()) {
        congestion.release();
      }
      MessageProperties properties = next.properties();
      if (properties.expiresAtMillis() == 0 || !properties.expired(bridge.now())) {
        return next;
      }
      bridge.countExpired(1); // [MQTT-3.3.2-5] never handed out once expired
    }
    return null;
  }

  /** Whether the earliest expiry among queued messages may have passed at {@code now}. */
  boolean mayHoldExpired(long now) {
    return nextExpiry.get() <= now;
  }

  /**
   * Removes the messages expired at {@code now}, counting them, and recomputes the earliest
   * expiry of the rest. Safe against concurrent offers, polls and purges (each removal is a CAS).
   *
   * @return how many this call removed
   */
  int purgeExpired(long now) {
    nextExpiry.set(Long.MAX_VALUE);
    int removed = 0;
    for (Delivery delivery : queue) {
      long expiresAt = delivery.properties().expiresAtMillis();
      if (expiresAt == 0) {
        continue;
      }
      if (expiresAt > now) {
        nextExpiry.accumulateAndGet(expiresAt, Math::min);
      } else if (queue.remove(delivery)) {
        queued.decrementAndGet();
        removed++;
      }
    }
    if (removed > 0) {
      bridge.countExpired(removed);
    }
    return removed;
  }

  /** Whether the queue is at or below its low-water mark (throttled publishers may go on). */
  boolean drained() {
    return queued.get() <= maxQueued / 4;
  }

  void releaseCongestion() {
    congestion.release();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  int size() {
    return queued.get();
  }

  /** Drops everything queued and lets throttled publishers go. */
  void clear() {
    queue.clear();
    queued.set(0);
    nextExpiry.set(Long.MAX_VALUE);
    congestion.release();
  }
}
