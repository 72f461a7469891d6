package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A delivery that a shared group gave one of its members (MQTT 5.0 section 4.8.2), as that
 * member's queue holds it and, once polled, as it stays in flight until acknowledged: the group
 * and the publication go with it so that it can be handed to another member when this one
 * detaches, unsubscribes or ends (see {@link SharedGroup}).
 *
 * <p>Whoever takes an entry out of a queue (a poll, the expiry purge, a hand-over) must first
 * {@link #claim()} it, and only the one that claimed it acts on it: so a hand-over racing a purge
 * or a poll moves, expires or hands out the message exactly once, and the queue's count stays
 * exact.
 */
final class SharedEntry {

  private static final VarHandle CLAIMED;

  static {
    try {
      CLAIMED = MethodHandles.lookup().findVarHandle(SharedEntry.class, "claimed", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final SharedGroup group;
  private final Publication publication;
  private final Delivery delivery;
  @SuppressWarnings("unused") // accessed through CLAIMED
  private volatile boolean claimed;

  /**
   * @param group the group that chose the session
   * @param publication the message as published, which the next member's QoS and options apply to
   * @param delivery what the session hands out, at its own QoS and options
   */
  SharedEntry(SharedGroup group, Publication publication, Delivery delivery) {
    this.group = group;
    this.publication = publication;
    this.delivery = delivery;
  }

  SharedGroup group() {
    return group;
  }

  Publication publication() {
    return publication;
  }

  Delivery delivery() {
    return delivery;
  }

  /**
   * Gives the message to another member of its group, the session holding it having ended: it is
   * dropped (and counted) only if no member can take it (MQTT 5.0 section 4.8.2).
   */
  void passOn() {
    if (group.offer(publication, false) == null) {
      group.refused(publication);
    }
  }

  /** Takes this entry for the caller; true for exactly one caller. */
  boolean claim() {
    return CLAIMED.compareAndSet(this, false, true);
  }

  /** The delivery of a queue element: a {@code Delivery} itself, or a shared one's. */
  static Delivery deliveryOf(Object element) {
    return element instanceof SharedEntry entry ? entry.delivery : (Delivery) element;
  }

  /** Whether the caller who took {@code element} out of a queue owns it (see {@link #claim}). */
  static boolean owns(Object element) {
    return !(element instanceof SharedEntry entry) || entry.claim();
  }

  /**
   * Removes {@code element} for the caller (the expiry purge); a shared entry is claimed before it
   * is unlinked, so that a hand-over in progress keeps it.
   *
   * @return whether the caller owns the element now
   */
  static boolean remove(Queue<Object> queue, Object element) {
    if (element instanceof SharedEntry entry) {
      if (!entry.claim()) {
        return false; // being handed over, or taken by a poll
      }
      queue.remove(element);
      return true;
    }
    return queue.remove(element);
  }

  /**
   * Offers each shared entry of a queue to {@code handOver}, in queue order, and removes those it
   * took, in one pass. Run on the queue owner's thread (no poll meanwhile); an entry is claimed
   * while it is offered, so a concurrent purge leaves it alone, and given back if not taken.
   *
   * @param removed told of each element removed, for the queue's counts
   */
  static void handOver(Queue<Object> queue, Predicate<SharedEntry> handOver,
      Consumer<Object> removed) {
    queue.removeIf(element -> {
      if (!(element instanceof SharedEntry entry) || !entry.claim()) {
        return false;
      }
      if (!handOver.test(entry)) {
        CLAIMED.setVolatile(entry, false); // stays queued
        return false;
      }
      removed.accept(entry);
      return true;
    });
  }

  /**
   * Empties a queue for good: shared entries go to {@code orphans}, the rest is dropped. Safe from
   * several threads at once (each element goes to one of them).
   *
   * @param taken told of each element this call removed, for the queue's counts
   */
  static void removeAll(Queue<Object> queue, Consumer<SharedEntry> orphans,
      Consumer<Object> taken) {
    for (Object next = queue.poll(); next != null; next = queue.poll()) {
      if (owns(next)) {
        taken.accept(next);
        if (next instanceof SharedEntry entry) {
          orphans.accept(entry);
        }
      }
    }
  }
}
