package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded multi-producer queue of one session's deliveries, with publisher throttling and
 * message expiry.
 *
 * <p>Bounds: two, {@code maxQueuedMessages} and {@code maxQueuedBytes} (a message counts its
 * payload and topic), applied alike; "above the bound" means above either. While a client is
 * connected and its queue is above half of a bound, the {@code publish} stages of publishers
 * routing to it stay incomplete until the queue drains to a quarter of both: the transport then
 * stops reading from those publishers (once each has {@code maxInflightMessages} publications
 * pending), so a slow subscriber slows publishers down instead of losing their messages. A
 * publisher is held back at most {@value Congestion#TIMEOUT_MILLIS} ms per wait, so that clients
 * publishing to each other cannot stall each other for good. Above the bound, QoS 0 messages are
 * dropped and counted; QoS 1 and 2 are still taken up to twice the bound (the throttled
 * publishers keep the overshoot small), then dropped and counted. A detached (offline) session
 * applies no pressure: it queues QoS 1 and 2 up to the bound (queueing QoS 0 for offline clients
 * is optional, [MQTT-3.1.2-5]) and drops newer ones beyond it, counted, so what is queued stays in
 * order. A message bigger than {@code maxQueuedBytes} on its own is never queued.
 *
 * <p>Expiry [MQTT-3.3.2-5]: a message already expired is not queued; {@link #poll} skips expired
 * ones; a full queue first purges expired messages before it drops a new one, and the bridge's
 * sweep purges the queues of detached sessions once their earliest expiry has passed. Each expired
 * copy is counted. The clock is read only for messages that have an expiry.
 *
 * <p>Elements are {@code Delivery}s, or {@link SharedEntry SharedEntries} for what a shared group
 * gave this session: those a full queue refuses instead of dropping (the group tries another
 * member), and they can be handed over again (see {@link SharedEntry#claim()}).
 *
 * <p>An idle session's queue is small: the element queue and the {@link Congestion} throttle are
 * made when first needed (by whichever thread needs one first, one compare-and-set), and the
 * counters are volatile fields changed through VarHandles, not atomic objects of their own.
 */
final class DeliveryQueue {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryQueue.class);
  private static final VarHandle QUEUE;
  private static final VarHandle CONGESTION;
  private static final VarHandle QUEUED;
  private static final VarHandle QUEUED_BYTES;
  private static final VarHandle TAGS;
  private static final VarHandle DROPPED;
  private static final VarHandle NEXT_EXPIRY;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      QUEUE = lookup.findVarHandle(DeliveryQueue.class, "queue", ConcurrentLinkedQueue.class);
      CONGESTION = lookup.findVarHandle(DeliveryQueue.class, "congestion", Congestion.class);
      QUEUED = lookup.findVarHandle(DeliveryQueue.class, "queued", int.class);
      QUEUED_BYTES = lookup.findVarHandle(DeliveryQueue.class, "queuedBytes", long.class);
      TAGS = lookup.findVarHandle(DeliveryQueue.class, "tags", long.class);
      DROPPED = lookup.findVarHandle(DeliveryQueue.class, "dropped", long.class);
      NEXT_EXPIRY = lookup.findVarHandle(DeliveryQueue.class, "nextExpiry", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final InMemoryBridge bridge;
  private final String clientId;
  /** {@code Delivery} or {@link SharedEntry} elements; made by the first offer (see QUEUE). */
  private volatile ConcurrentLinkedQueue<Object> queue;
  /** Elements counted in (see QUEUED). */
  private volatile int queued;
  /** Bytes of the elements counted in {@link #queued} (see {@link #bytesOf}, QUEUED_BYTES). */
  private volatile long queuedBytes;
  /** The last tag given (see TAGS). */
  @SuppressWarnings("unused") // accessed through TAGS
  private volatile long tags;
  /** Messages this queue dropped, for the log (see DROPPED and {@link DropCounter}). */
  @SuppressWarnings("unused") // accessed through DROPPED
  private volatile long dropped;
  /** Earliest expiry among queued messages (a lower bound), {@code Long.MAX_VALUE} for none. */
  private volatile long nextExpiry = Long.MAX_VALUE;
  /** The throttle, made by the first publisher held back (see CONGESTION); else null. */
  private volatile Congestion congestion;
  private volatile int maxQueued;
  private volatile long maxBytes;
  /** Set once a shared group queued here: only then is there anything to hand over. */
  private volatile boolean heldShared;

  DeliveryQueue(InMemoryBridge bridge, String clientId, int maxQueued, long maxBytes) {
    this.bridge = bridge;
    this.clientId = clientId;
    this.maxQueued = maxQueued;
    this.maxBytes = maxBytes;
  }

  /** New bounds, from the request of a connection resuming the session. */
  void bounds(int maxMessages, long maxQueuedBytes) {
    this.maxQueued = maxMessages;
    this.maxBytes = maxQueuedBytes;
  }

  /** What a message weighs against {@code maxQueuedBytes}: its payload and topic. */
  static long bytesOf(String topic, byte[] payload) {
    return (long) payload.length + topic.length();
  }

  private static long bytesOf(Object element) {
    Delivery delivery = SharedEntry.deliveryOf(element);
    return bytesOf(delivery.topic(), delivery.payload());
  }

  /**
   * Queues a delivery of {@code publication}; called by routing threads concurrently.
   *
   * @param target the attached sink, or null while the session is offline
   * @param group the shared group that chose this session, or null for its own subscriptions
   * @return {@link InMemoryBridge#DONE}, or an incomplete stage while this queue is congested;
   *     for a shared group, null if the queue is full (nothing dropped or counted then)
   */
  CompletionStage<Void> offer(DeliverySink target, Publication publication, int qos,
      boolean retain, int[] subscriptionIds, SharedGroup group) {
    MessageProperties properties = publication.properties();
    long expiresAt = properties.expiresAtMillis();
    if (expiresAt != 0 && properties.expired(bridge.now())) {
      bridge.countExpired(1); // [MQTT-3.3.2-5]
      return InMemoryBridge.DONE;
    }
    int limit = maxQueued;
    long byteLimit = maxBytes;
    boolean hard = target == null || qos == 0;
    long bytes = bytesOf(publication.topic(), publication.payload());
    int size = admit(hard ? limit : 2L * limit, hard ? byteLimit : twice(byteLimit), bytes);
    if (size < 0) {
      if (group != null) {
        return null;
      }
      drop(limit, byteLimit);
      return InMemoryBridge.DONE;
    }
    long tag = qos == 0 ? 0 : (long) TAGS.getAndAdd(this, 1L) + 1;
    Delivery delivery = new Delivery(publication.topic(), publication.payload(), qos, retain,
        false, tag, properties, subscriptionIds);
    if (group == null) {
      queue().offer(delivery);
    } else {
      heldShared = true;
      queue().offer(new SharedEntry(group, publication, delivery));
    }
    if (expiresAt != 0) {
      // After the offer: a purge that resets the mark and rescans either sees this message or
      // runs after this lowers the mark again.
      lowerNextExpiry(expiresAt);
    }
    if (target != null) {
      target.messagesAvailable();
      if (size > limit / 2 || queuedBytes > byteLimit / 2) {
        return congestion().stage();
      }
    }
    return InMemoryBridge.DONE;
  }

  /** The element queue, made by the first caller that has an element for it. */
  private ConcurrentLinkedQueue<Object> queue() {
    ConcurrentLinkedQueue<Object> current = queue;
    if (current == null) {
      ConcurrentLinkedQueue<Object> fresh = new ConcurrentLinkedQueue<>();
      @SuppressWarnings("unchecked")
      ConcurrentLinkedQueue<Object> won =
          (ConcurrentLinkedQueue<Object>) QUEUE.compareAndExchange(this, null, fresh);
      current = won == null ? fresh : won;
    }
    return current;
  }

  /** The throttle, made by the first publisher it holds back. */
  private Congestion congestion() {
    Congestion current = congestion;
    if (current == null) {
      Congestion fresh = new Congestion();
      Congestion won = (Congestion) CONGESTION.compareAndExchange(this, null, fresh);
      current = won == null ? fresh : won;
    }
    return current;
  }

  /** Lowers {@link #nextExpiry} to {@code expiresAt} unless it is lower already. */
  private void lowerNextExpiry(long expiresAt) {
    long current = nextExpiry;
    while (expiresAt < current && !NEXT_EXPIRY.compareAndSet(this, current, expiresAt)) {
      current = nextExpiry;
    }
  }

  /** Twice a bound in bytes, saturating. */
  private static long twice(long bound) {
    return bound > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * bound;
  }

  /**
   * Counts a message in if there is room below both ceilings: online, QoS 1/2 may overshoot the
   * bounds while publishers routing here are throttled (see {@link Congestion}); a hard ceiling of
   * twice the bounds still holds if throttling times out.
   *
   * @return the new size, or -1 if full
   */
  private int admit(long ceiling, long byteCeiling, long bytes) {
    int size = (int) QUEUED.getAndAdd(this, 1) + 1;
    long held = (long) QUEUED_BYTES.getAndAdd(this, bytes) + bytes;
    if ((size > ceiling || held > byteCeiling) && !roomAfterPurge(ceiling, byteCeiling)) {
      QUEUED.getAndAdd(this, -1);
      QUEUED_BYTES.getAndAdd(this, -bytes);
      return -1;
    }
    return size;
  }

  /** A full queue first lets go of its expired messages: is there room then? */
  private boolean roomAfterPurge(long ceiling, long byteCeiling) {
    if (nextExpiry == Long.MAX_VALUE) {
      return false;
    }
    long now = bridge.now();
    return mayHoldExpired(now) && purgeExpired(now) > 0 && queued <= ceiling
        && queuedBytes <= byteCeiling;
  }

  private void drop(int limit, long byteLimit) {
    bridge.countDrop();
    long dropped = DropCounter.logged((long) DROPPED.getAndAdd(this, 1L) + 1);
    if (dropped > 0) {
      LOG.warn("Session queue of client {} is full (maxQueuedMessages {}, maxQueuedBytes {}):"
          + " dropped {} message(s) so far", clientId, limit, byteLimit, dropped);
    }
  }

  /** Takes the next element that has not expired: a {@code Delivery} or a {@link SharedEntry}. */
  Object poll() {
    ConcurrentLinkedQueue<Object> elements = queue;
    if (elements == null) {
      return null; // nothing was ever offered
    }
    Object next;
    while ((next = elements.poll()) != null) {
      if (!SharedEntry.owns(next)) {
        continue; // handed over meanwhile; its taker counted it
      }
      taken(1, bytesOf(next));
      MessageProperties properties = SharedEntry.deliveryOf(next).properties();
      if (properties.expiresAtMillis() == 0 || !properties.expired(bridge.now())) {
        return next;
      }
      bridge.countExpired(1); // [MQTT-3.3.2-5] never handed out once expired
    }
    return null;
  }

  /** Counts elements taken out and lets throttled publishers go once drained. */
  private void taken(int count, long bytes) {
    int size = (int) QUEUED.getAndAdd(this, -count) - count;
    long held = (long) QUEUED_BYTES.getAndAdd(this, -bytes) - bytes;
    Congestion throttle = congestion;
    if (size <= maxQueued / 4 && held <= maxBytes / 4 && throttle != null && throttle.active()) {
      throttle.release();
    }
  }

  /** Counts one element that a hand-over or {@link #removeAll} took out. */
  private void removed(Object element) {
    taken(1, bytesOf(element));
  }

  /** Whether the earliest expiry among queued messages may have passed at {@code now}. */
  boolean mayHoldExpired(long now) {
    return nextExpiry <= now;
  }

  /**
   * Removes the messages expired at {@code now}, counting them, and recomputes the earliest
   * expiry of the rest. Safe against concurrent offers, polls, hand-overs and purges (each
   * removal is a CAS, and a shared entry is also claimed).
   *
   * @return how many this call removed
   */
  int purgeExpired(long now) {
    nextExpiry = Long.MAX_VALUE;
    ConcurrentLinkedQueue<Object> elements = queue;
    if (elements == null) {
      return 0;
    }
    int removed = 0;
    for (Object element : elements) {
      long expiresAt = SharedEntry.deliveryOf(element).properties().expiresAtMillis();
      if (expiresAt == 0) {
        continue;
      }
      if (expiresAt > now) {
        lowerNextExpiry(expiresAt);
      } else if (SharedEntry.remove(elements, element)) {
        QUEUED.getAndAdd(this, -1);
        QUEUED_BYTES.getAndAdd(this, -bytesOf(element));
        removed++;
      }
    }
    if (removed > 0) {
      bridge.countExpired(removed);
    }
    return removed;
  }

  /**
   * Offers each shared entry to {@code handOver}, in queue order, and removes those it took.
   * One pass on the owner's thread (no poll runs meanwhile), safe against concurrent offers and
   * purges: an entry is claimed while it is offered, so a purge leaves it alone.
   */
  void handOver(Predicate<SharedEntry> handOver) {
    ConcurrentLinkedQueue<Object> elements = queue;
    if (heldShared && elements != null) {
      SharedEntry.handOver(elements, handOver, this::removed);
    }
  }

  /**
   * Empties the queue for good: shared entries go to {@code orphans}, the rest is dropped. Safe to
   * run from several threads at once (each element goes to one of them).
   */
  void removeAll(Consumer<SharedEntry> orphans) {
    ConcurrentLinkedQueue<Object> elements = queue;
    if (elements != null) {
      SharedEntry.removeAll(elements, orphans, this::removed);
    }
    releaseCongestion();
  }

  /** Whether the queue is at or below its low-water mark (throttled publishers may go on). */
  boolean drained() {
    return queued <= maxQueued / 4 && queuedBytes <= maxBytes / 4;
  }

  /** Whether a new delivery would not throttle its publisher (the queue is below half). */
  boolean belowThrottle() {
    return queued < maxQueued / 2 && queuedBytes < maxBytes / 2;
  }

  void releaseCongestion() {
    Congestion throttle = congestion;
    if (throttle != null) {
      throttle.release();
    }
  }

  int size() {
    return queued;
  }

  /** Bytes queued now (payload and topic of each message). */
  long bytes() {
    return queuedBytes;
  }
}
