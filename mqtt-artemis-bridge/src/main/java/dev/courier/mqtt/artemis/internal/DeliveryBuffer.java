package dev.courier.mqtt.artemis.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.server.MessageReference;

/**
 * The messages Artemis handed one session ahead of its client, not yet polled: at most {@code
 * capacity}. A consumer reserves a slot before it takes a message ({@link #reserve}); when none is
 * left the session's consumers answer BUSY and Artemis keeps (and pages) the rest, and once {@code
 * poll} has drained half, the session's queues are asked to deliver again.
 *
 * <p>Thread-safe: filled from Artemis's threads, drained by the connection's thread, given back by
 * either or by the bridge's executor. A message is taken out exactly once, by {@link #poll}, {@link
 * #remove} or a give-back, whichever comes first.
 */
final class DeliveryBuffer {

  /**
   * A message Artemis handed over, and the subscription it came for.
   *
   * @param reference its reference in the subscription's queue; null for a message routed to a
   *     {@link DirectBinding} (nothing to acknowledge)
   * @param body the payload of a large message routed to a binding (read at routing); else null
   * @param size what it counts against the session's byte bound (binding only; else 0)
   */
  record Taken(MessageReference reference, Message message, byte[] body,
      SessionSubscription subscription, int size) {

    /** A message from a subscription's queue. */
    Taken(MessageReference reference, SessionSubscription subscription) {
      this(reference, reference.getMessage(), null, subscription, 0);
    }
  }

  private final ArtemisBridge bridge;
  private final int capacity;
  /** Changes {@link #size} without an AtomicInteger per session. */
  private static final VarHandle SIZE;

  static {
    try {
      SIZE = MethodHandles.lookup().findVarHandle(DeliveryBuffer.class, "size", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConcurrentLinkedQueue<Taken> taken = new ConcurrentLinkedQueue<>();
  /** Slots reserved: messages buffered, or about to be (changed through {@link #SIZE}). */
  private volatile int size;
  private volatile boolean starved;

  DeliveryBuffer(ArtemisBridge bridge, int capacity) {
    this.bridge = bridge;
    this.capacity = capacity;
  }

  /** Reserves a slot for a message Artemis offers, or marks the buffer starved. */
  boolean reserve() {
    while (true) {
      int n = size;
      if (n < capacity) {
        if (SIZE.compareAndSet(this, n, n + 1)) {
          return true;
        }
        continue;
      }
      starved = true;
      if (size < capacity) {
        continue; // drained meanwhile: poll() may have missed the flag
      }
      return false;
    }
  }

  /** Buffers a message in the slot reserved for it. */
  void add(Taken message) {
    taken.add(message);
  }

  /** Takes a message back out, unless it was taken already; true if this call took it. */
  boolean remove(Taken message) {
    if (taken.remove(message)) {
      SIZE.getAndAdd(this, -1);
      return true;
    }
    return false;
  }

  boolean isEmpty() {
    return taken.isEmpty();
  }

  /**
   * The next message, or null; the first poll that leaves half the buffer free after it was full
   * asks {@code queues}' subscriptions to deliver again.
   */
  Taken poll(Iterable<SessionSubscription> queues) {
    Taken next = taken.poll();
    if (next == null) {
      return null;
    }
    int left = (int) SIZE.getAndAdd(this, -1) - 1;
    if (starved && left <= capacity / 2) {
      starved = false;
      for (SessionSubscription subscription : queues) {
        subscription.queue.deliverAsync();
      }
    }
    return next;
  }

  /** Gives everything the client never saw back to the queues, in order. */
  void returnAll() {
    List<MessageReference> unseen = new ArrayList<>();
    for (Taken next; (next = taken.poll()) != null; ) {
      SIZE.getAndAdd(this, -1);
      unseen.add(unseen(next));
    }
    bridge.cancel(unseen);
  }

  /** Gives what one removed shared subscription has here back to its group, in order. */
  void returnOf(SessionSubscription removed) {
    List<MessageReference> unseen = new ArrayList<>();
    for (Taken next : taken) {
      if (next.subscription() == removed && remove(next)) { // else poll() took it
        unseen.add(unseen(next));
      }
    }
    bridge.cancel(unseen);
  }

  /** Forgets everything (the session's queues are going). */
  void clear() {
    taken.clear();
    size = 0;
  }

  /** A message never sent: its delivery count as before Artemis handed it over. */
  private static MessageReference unseen(Taken message) {
    message.reference().decrementDeliveryCount();
    return message.reference();
  }
}
