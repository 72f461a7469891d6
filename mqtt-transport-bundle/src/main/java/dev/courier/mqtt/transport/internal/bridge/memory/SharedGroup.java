package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.Publication;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared subscription group (MQTT 5.0 section 4.8.2): the sessions subscribed to {@code
 * $share/{shareName}/{filter}}, each with its own subscription options. Each message matching the
 * filter goes to one member only, at that member's QoS [MQTT-3.8.4-6], with its Subscription
 * Identifier and Retain As Published.
 *
 * <p>Choosing the member: round robin, starting one member further for each message, taking the
 * first member that can take it in this order of preference:
 * <ol>
 *   <li>attached (connected) and its queue below the throttle mark (half of its bound);
 *   <li>attached, its queue not full;
 *   <li>detached (a persistent session offline), its queue not full, for QoS 1 and 2 only, as for
 *       any offline queue: a QoS 0 message to a group none of whose members is connected is not
 *       delivered (nor counted as a drop).
 * </ol>
 * If every member that could take the message has a full queue, it is dropped and counted once.
 *
 * <p>When a member goes, what the group gave it moves on (the spec's SHOULD and MAY, section
 * 4.8.2): on detach, what it has not handed out yet goes to an attached member, if there is one;
 * on unsubscribe, what it has not handed out yet goes to another member, if one can take it; when
 * its session ends (closed, replaced by a Clean Start, expired), that and what it handed out and
 * its client did not acknowledge go to another member, and are dropped only if none can take them.
 * What a member handed out stays its own while its session lasts: its client completes it.
 *
 * <p>Threading: publications are routed here from any thread without a lock; the member array is
 * copied on write, and written only under the group's entry in {@link SharedGroups}.
 */
final class SharedGroup implements Subscriber {

  private static final Logger LOG = LoggerFactory.getLogger(SharedGroup.class);
  private static final Member[] NONE = new Member[0];
  private static final int READY = 0;
  private static final int ATTACHED = 1;
  private static final int DETACHED = 2;

  /** One member: its session and its subscription to this group. */
  record Member(InMemorySession session, Subscription subscription) {}

  private final String key;
  private final String filter;
  private final AtomicInteger turn = new AtomicInteger();
  private final DropCounter drops;
  private volatile Member[] members = NONE;

  SharedGroup(InMemoryBridge bridge, String key, String filter) {
    this.key = key;
    this.filter = filter;
    this.drops = new DropCounter(bridge);
  }

  /** {@code $share/{shareName}/{filter}}. */
  String key() {
    return key;
  }

  String filter() {
    return filter;
  }

  /** Adds a member, or replaces its subscription keeping its turn; under the group's entry. */
  void put(InMemorySession session, Subscription subscription) {
    Member[] current = members;
    Member member = new Member(session, subscription);
    for (int i = 0; i < current.length; i++) {
      if (current[i].session() == session) {
        Member[] replaced = current.clone();
        replaced[i] = member;
        members = replaced;
        return;
      }
    }
    Member[] grown = Arrays.copyOf(current, current.length + 1);
    grown[current.length] = member;
    members = grown;
  }

  /** Removes a member; under the group's entry. */
  void remove(InMemorySession session) {
    Member[] current = members;
    for (int i = 0; i < current.length; i++) {
      if (current[i].session() == session) {
        Member[] shrunk = new Member[current.length - 1];
        System.arraycopy(current, 0, shrunk, 0, i);
        System.arraycopy(current, i + 1, shrunk, i, shrunk.length - i);
        members = shrunk;
        return;
      }
    }
  }

  boolean isEmpty() {
    return members.length == 0;
  }

  int size() {
    return members.length;
  }

  /**
   * Routes a publication to one member.
   *
   * @return as {@link DeliveryQueue#offer}: incomplete while the chosen member is congested
   */
  CompletionStage<Void> deliver(Publication publication) {
    CompletionStage<Void> taken = offer(publication, false);
    if (taken == null) {
      refused(publication);
      return InMemoryBridge.DONE;
    }
    return taken;
  }

  /**
   * Gives a publication to one member, as described above, or only to attached members.
   *
   * @return the chosen member's stage, or null if no member took it
   */
  CompletionStage<Void> offer(Publication publication, boolean attachedOnly) {
    Member[] current = members;
    int n = current.length;
    if (n == 0) {
      return null;
    }
    int start = (turn.getAndIncrement() & Integer.MAX_VALUE) % n;
    CompletionStage<Void> taken = pass(current, start, publication, READY);
    if (taken == null) {
      taken = pass(current, start, publication, ATTACHED);
    }
    if (taken == null && !attachedOnly) {
      taken = pass(current, start, publication, DETACHED);
    }
    return taken;
  }

  /** One round over the members from {@code start}, offering to those of the given kind. */
  private CompletionStage<Void> pass(Member[] current, int start, Publication publication,
      int kind) {
    int n = current.length;
    for (int i = 0, at = start; i < n; i++, at = at + 1 == n ? 0 : at + 1) {
      InMemorySession session = current[at].session();
      if (!isOfKind(session, kind)) {
        continue;
      }
      Subscription subscription = current[at].subscription();
      CompletionStage<Void> taken = session.enqueueShared(this, publication,
          Math.min(publication.qos(), subscription.qos()),
          publication.retain() && subscription.retainAsPublished(), subscription.ids(),
          kind != DETACHED);
      if (taken != null) {
        return taken;
      }
    }
    return null;
  }

  private static boolean isOfKind(InMemorySession session, int kind) {
    boolean attached = session.attached();
    return switch (kind) {
      case READY -> attached && session.belowThrottle();
      case ATTACHED -> attached;
      default -> !attached;
    };
  }

  /**
   * No member took a publication: counted as dropped if one could have taken it but its queue was
   * full (a QoS 0 message while no member is connected is simply not delivered).
   */
  void refused(Publication publication) {
    boolean couldTake = false;
    for (Member member : members) {
      couldTake |= member.session().attached()
          || Math.min(publication.qos(), member.subscription().qos()) > 0;
    }
    if (!couldTake) {
      return;
    }
    long dropped = drops.drop();
    if (dropped > 0) {
      LOG.warn("Every queue of shared subscription group {} is full: dropped {} message(s) so far",
          key, dropped);
    }
  }

  @Override
  public String toString() {
    return "SharedGroup[" + key + ", " + members.length + " members]";
  }
}
