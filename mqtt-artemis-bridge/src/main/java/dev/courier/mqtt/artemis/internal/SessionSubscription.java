package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.topic.SharedSubscriptions;
import dev.courier.mqtt.transport.spi.topic.TopicFilters;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.postoffice.impl.AddressImpl;
import org.apache.activemq.artemis.core.server.Consumer;
import org.apache.activemq.artemis.core.server.HandleStatus;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of an {@link ArtemisSession}: the Artemis consumer of its queue, which takes a
 * message only while the session accepts and has buffer room (otherwise {@link HandleStatus#BUSY},
 * and the message stays in Artemis), and its options and overlapping peers for delivery.
 *
 * <p>A shared subscription (MQTT 5.0 section 4.8.2) consumes its group's queue ({@link
 * SharedGroups}) beside the other members' consumers; it has no peers (the once-per-session rule of
 * overlapping filters is for the session's own subscriptions), and removing it leaves the group
 * instead of destroying the queue.
 *
 * <p>Threading: Artemis calls {@link #handle} and {@link #proceedDeliver} from its queue executor;
 * options and peers are written on the bridge's thread for the session and read by {@code poll}.
 */
final class SessionSubscription implements Consumer {

  private static final Logger LOG = LoggerFactory.getLogger(SessionSubscription.class);
  private static final AtomicLong CONSUMER_IDS = new AtomicLong(Long.MIN_VALUE / 4);
  private static final SessionSubscription[] NO_PEERS = new SessionSubscription[0];

  final String filter;
  /** The ShareName of a shared subscription, else null. */
  final String shareName;
  /** What identifies it in its session: the filter, or {@code $share/{shareName}/{filter}}. */
  final String key;
  /** Its queue; null for a clean session's subscription, which has {@link #direct} instead. */
  final Queue queue;
  /** Its binding in place of a queue ({@link DirectBinding}), once bound; else null. */
  volatile DirectBinding direct;
  /** The filter as Artemis binds it, to tell which copies routing made (OverlapResolver). */
  final AddressImpl binding;
  /** A message id taken once the queue existed: only younger messages may have a copy here. */
  final long since;
  volatile SubscriptionOptions options;
  volatile boolean removed;
  /** The session's other subscriptions whose filters may overlap this one's; copy on write. */
  volatile SessionSubscription[] peers = NO_PEERS;
  private final ArtemisSession session;
  private final long id = CONSUMER_IDS.incrementAndGet();
  private boolean registered;

  SessionSubscription(ArtemisSession session, String filter, String shareName,
      SubscriptionOptions options, Queue queue, long since) {
    this.session = session;
    this.filter = filter;
    this.shareName = shareName;
    this.key = shareName == null ? filter : SharedSubscriptions.of(shareName, filter);
    this.options = options;
    this.queue = queue;
    this.binding = session.bridge().binding(filter);
    this.since = since;
  }

  /** Whether this is a shared subscription. */
  boolean shared() {
    return shareName != null;
  }

  /**
   * Makes this new subscription a peer of each of {@code others} it may overlap; shared ones are
   * nobody's peers.
   */
  void linkTo(Collection<SessionSubscription> others) {
    if (shared()) {
      return;
    }
    for (SessionSubscription other : others) {
      if (other != this && !other.shared() && TopicFilters.overlaps(filter, other.filter)) {
        peers = with(peers, other);
        other.peers = with(other.peers, this);
      }
    }
  }

  /** Unsubscribed: no longer anyone's peer. */
  void unlink() {
    for (SessionSubscription peer : peers) {
      SessionSubscription[] left = new SessionSubscription[peer.peers.length - 1];
      int n = 0;
      for (SessionSubscription p : peer.peers) {
        if (p != this && n < left.length) {
          left[n++] = p;
        }
      }
      peer.peers = left;
    }
    peers = NO_PEERS;
  }

  private static SessionSubscription[] with(SessionSubscription[] peers,
      SessionSubscription added) {
    SessionSubscription[] more = Arrays.copyOf(peers, peers.length + 1);
    more[peers.length] = added;
    return more;
  }

  /**
   * Bounds this subscription's queue by the session's queue bounds ({@link QueueLimit}); not for
   * a shared subscription, whose group queue belongs to no one session. Replaces a limit left by
   * an earlier session object of the client.
   */
  void limit() {
    if (shared() || queue == null) {
      return;
    }
    Filter current = queue.getFilter();
    Filter original = current instanceof QueueLimit earlier ? earlier.original : current;
    // The post office caches no route for an address with a filtered queue, so the check runs
    // for every message routed from now on (a Core/JMS producer's route cached just before may
    // skip it until the address's bindings change).
    queue.setFilter(new QueueLimit(original, this));
  }

  /** Gives the queue back its own filter (the bridge stops), if this subscription's limit holds. */
  void unlimit() {
    if (queue != null && queue.getFilter() instanceof QueueLimit limit
        && limit.subscription == this) {
      queue.setFilter(limit.original);
    }
  }

  /**
   * Whether Artemis routed {@code message} here, by its address (which matched the session's
   * overlapping filter) and this subscription's filter or binding; see {@link OverlapResolver}.
   */
  boolean routes(Message message) {
    if (queue == null) {
      DirectBinding bound = direct;
      return bound != null && bound.admits(message); // none yet, or unbound: no copy here
    }
    Filter queueFilter = queue.getFilter();
    return queueFilter == null || queueFilter.match(message);
  }

  /**
   * A message the post office routed to {@link #direct} (routing thread): to the session's buffer
   * if it has room for it.
   *
   * @param body the payload of a large message, read while Artemis still had it; else null
   */
  void routed(Message message, byte[] body) {
    if (!removed) {
      session.routed(this, message, body);
    }
  }

  /** Whether the queue has room for {@code message} (routing thread; see {@link QueueLimit}). */
  boolean room(Message message) {
    return session.room(this, message);
  }

  synchronized void register() {
    if (queue != null && !registered && !removed) {
      try {
        queue.addConsumer(this);
        registered = true;
        queue.deliverAsync();
      } catch (Exception e) {
        LOG.warn("Client {}: could not consume from {}: {}", session.clientId(), queue.getName(),
            e.toString());
      }
    }
  }

  synchronized void unregister() {
    if (registered) {
      registered = false;
      queue.removeConsumer(this);
    }
  }

  /** Takes no more messages, for good (before anything Artemis handed over is given back). */
  void stop() {
    removed = true;
    unregister();
  }

  /**
   * Unsubscribed or session ended (bridge executor): the queue goes, or, for a shared subscription,
   * the session leaves the group (whose last member's leaving destroys the queue).
   */
  void remove() throws Exception {
    stop();
    if (shared()) {
      session.bridge().groups().leave(shareName, filter, session.member());
    } else if (queue == null) {
      session.bridge().unbind(this);
    } else {
      session.bridge().destroyQueue(queue);
    }
  }

  @Override
  public HandleStatus handle(MessageReference reference) {
    if (removed || !session.accepting() || !session.reserve()) {
      return HandleStatus.BUSY;
    }
    reference.handled();
    reference.incrementDeliveryCount();
    return HandleStatus.HANDLED;
  }

  @Override
  public void proceedDeliver(MessageReference reference) {
    session.taken(reference, this);
  }

  @Override
  public Filter getFilter() {
    return null;
  }

  @Override
  public List<MessageReference> getDeliveringMessages() {
    return List.of();
  }

  @Override
  public String debug() {
    return toManagementString();
  }

  @Override
  public String toManagementString() {
    return "MQTT client " + session.clientId() + " subscription " + key;
  }

  @Override
  public void disconnect() {
    removed = true; // the queue was destroyed under us (an administrator)
  }

  @Override
  public void failed(Throwable t) {
    removed = true;
  }

  @Override
  public long sequentialID() {
    return id;
  }
}
