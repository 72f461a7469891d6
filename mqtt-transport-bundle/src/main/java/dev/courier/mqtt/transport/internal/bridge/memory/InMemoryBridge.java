package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.internal.topic.SubscriptionTrie;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in bridge: routing, retained messages and session queues held in memory, implementing
 * bridge SPI 0.7 for MQTT 5.0, shared subscriptions and the queue and retained bounds included.
 * Used when no host bridge service is registered; everything is lost when the transport stops.
 *
 * <p>Routing a publication to one session whose subscriptions overlap (several of its filters
 * match the topic):
 * <ul>
 *   <li>A matching subscription <em>admits</em> the message unless it has No Local and the
 *       session's client id equals the publisher's [MQTT-3.8.3-3].
 *   <li>The session gets the message once if at least one matching subscription admits it, and
 *       not at all otherwise [MQTT-3.3.4-2].
 *   <li>QoS: the publication's QoS, capped by the highest QoS among the admitting subscriptions
 *       [MQTT-3.8.4-6].
 *   <li>RETAIN: the publication's RETAIN flag if any admitting subscription has Retain As
 *       Published [MQTT-3.3.1-13], else cleared [MQTT-3.3.1-12].
 *   <li>Subscription identifiers: the distinct identifiers of all admitting subscriptions, in no
 *       particular order [MQTT-3.3.4-3] [MQTT-3.3.4-4]; a subscription that does not admit the
 *       message did not cause the delivery and adds no identifier.
 *   <li>Properties, including the absolute expiry, are passed on unchanged [MQTT-3.3.2-4]
 *       [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20].
 * </ul>
 * Retained messages at SUBSCRIBE go out per new subscription as its Retain Handling says
 * (section 3.3.1.3), with RETAIN set, that subscription's identifier and QoS cap, and No Local
 * applied as well: a client does not get back a retained message it published itself (the letter
 * of [MQTT-3.8.3-3]; what a bridging client resubscribing relies on to avoid loops).
 *
 * <p>Shared subscriptions (MQTT 5.0 section 4.8.2, see {@link SharedGroup}): each matching group
 * gives the publication to one member, round robin among connected members with room, at that
 * member's QoS and options; a session gets that copy besides the one its own subscriptions may
 * give it (the rules above are for its own subscriptions only). No retained messages are sent
 * when a shared subscription is made. A member's shared deliveries go to another member when it
 * detaches (queued ones), unsubscribes (queued ones) or ends (queued and unacknowledged ones).
 *
 * <p>Expiry: a message whose {@code expiresAtMillis} has passed by the injected clock is never
 * routed, queued or handed out, and a retained one is no longer retained [MQTT-3.3.2-5]; a
 * detached session is discarded when its expiry interval has elapsed (section 3.1.2.11.2). Both
 * are checked on every read path; a lazily started sweep (see {@link ExpirySweeper}) also lets go
 * of them in the background.
 *
 * <p>Thread-safe. Routing is lock-free for publishers and allocates only each {@code Delivery}
 * and its queue node (plus an identifier array for a session matched by two or more identified
 * subscriptions; measured: about 91 bytes per delivery, as before, 106 with two ids; a shared
 * delivery adds its {@link SharedEntry}, and a map entry while it is in flight at QoS 1 or 2):
 * the subscription trie, which holds the shared groups too, is read without locks, matches are
 * merged in a per-thread {@link RouteCollector}, and each session's queue is a multi-producer
 * queue.
 */
public final class InMemoryBridge implements MessagingBridge {

  private static final Logger LOG = LoggerFactory.getLogger(InMemoryBridge.class);
  static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  /** A publication routed at once to at least one subscription (never completed again). */
  static final CompletableFuture<PublishResult> ACCEPTED =
      CompletableFuture.completedFuture(PublishResult.ACCEPTED);
  /** A publication that matched no subscription (0x10 to a 5.0 publisher). */
  static final CompletableFuture<PublishResult> NO_MATCH =
      CompletableFuture.completedFuture(PublishResult.NO_MATCHING_SUBSCRIBERS);
  /** A retained publication refused for the retained bounds: neither stored nor routed. */
  static final CompletableFuture<PublishResult> REFUSED =
      CompletableFuture.completedFuture(PublishResult.QUOTA_EXCEEDED);
  /** Sweep period of the no-argument constructor. */
  public static final long DEFAULT_SWEEP_PERIOD_MILLIS = 1000;

  private final LongSupplier clock;
  private final ExpirySweeper sweeper;
  private final SubscriptionTrie<Subscriber, Subscription> subscriptions =
      new SubscriptionTrie<>();
  private final RetainedMessages retained = new RetainedMessages();
  private final SessionTable sessions = new SessionTable();
  private final SharedGroups sharedGroups = new SharedGroups(this);
  private final LongAdder routed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder expiredMessages = new LongAdder();

  /** Per routing thread: collects matches so that each session gets a message once. */
  private final ThreadLocal<RouteCollector> collectors =
      ThreadLocal.withInitial(RouteCollector::new);

  /** A bridge on the system clock, sweeping every {@value #DEFAULT_SWEEP_PERIOD_MILLIS} ms. */
  public InMemoryBridge() {
    this(System::currentTimeMillis, DEFAULT_SWEEP_PERIOD_MILLIS);
  }

  /**
   * A bridge on the given clock.
   *
   * @param clock epoch milliseconds, the clock {@code expiresAtMillis} is read against
   * @param sweepPeriodMillis how often the background sweep runs once started, positive
   */
  public InMemoryBridge(LongSupplier clock, long sweepPeriodMillis) {
    this.clock = clock;
    this.sweeper = new ExpirySweeper(this::sweep, sweepPeriodMillis);
  }

  @Override
  public String name() {
    return "in-memory";
  }

  /** Shared subscriptions are implemented (see {@link SharedGroup}). */
  @Override
  public boolean sharedSubscriptions() {
    return true;
  }

  /** Bounds the retained store; what is held already stays (see {@link RetainedMessages}). */
  @Override
  public void limitRetained(long maxMessages, long maxBytes) {
    retained.limit(maxMessages, maxBytes);
  }

  @Override
  public CompletionStage<BridgeSession> openSession(SessionRequest request) {
    return CompletableFuture.completedFuture(sessions.open(this, request, now()));
  }

  /**
   * Routes one publication; returns a stage that is incomplete while a target is congested, and
   * says whether any subscription matched.
   */
  CompletionStage<PublishResult> route(Publication publication) {
    MessageProperties properties = publication.properties();
    if (properties.expiresAtMillis() != 0 && properties.expired(now())) {
      countExpired(1); // [MQTT-3.3.2-5] neither retained nor forwarded
      return ACCEPTED;
    }
    if (publication.retain()) {
      if (!retained.store(publication)) {
        return REFUSED; // nothing half-done: not routed either
      }
      if (publication.payload().length > 0 && properties.expiresAtMillis() != 0) {
        sweeper.ensureStarted();
      }
    }
    RouteCollector collector = collectors.get().begin(publication.publisherId());
    try {
      subscriptions.match(publication.topic(), collector);
      CompletionStage<Void> result = DONE;
      int n = collector.size();
      for (int i = 0; i < n; i++) {
        CompletionStage<Void> accepted = collector.session(i).enqueue(publication,
            Math.min(publication.qos(), collector.qos(i)),
            publication.retain() && collector.retainAsPublished(i), collector.subscriptionIds(i));
        if (accepted != DONE) {
          result = accepted;
        }
      }
      for (int i = 0, groups = collector.groupCount(); i < groups; i++) {
        CompletionStage<Void> accepted = collector.group(i).deliver(publication);
        if (accepted != DONE) {
          result = accepted;
        }
      }
      routed.increment();
      CompletableFuture<PublishResult> outcome =
          n + collector.groupCount() > 0 ? ACCEPTED : NO_MATCH;
      return result == DONE ? outcome : result.thenCompose(ignored -> outcome);
    } finally {
      collector.clear();
    }
  }

  /** One pass of the expiry sweep; runs on the sweeper thread (tests call it directly). */
  void sweep() {
    long now = now();
    countExpired(retained.sweep(now));
    sessions.sweep(now);
  }

  /** Whether the background sweep has been started (it is only once something can expire). */
  boolean sweeperStarted() {
    return sweeper.started();
  }

  /** The sweep's thread once it ran, or null; for tests. */
  Thread sweeperThread() {
    return sweeper.thread();
  }

  long now() {
    return clock.getAsLong();
  }

  void addSubscription(String filter, Subscriber subscriber, Subscription subscription) {
    subscriptions.put(filter, subscriber, subscription);
  }

  void removeSubscription(String filter, Subscriber subscriber) {
    subscriptions.remove(filter, subscriber);
  }

  SharedGroups sharedGroups() {
    return sharedGroups;
  }

  void forEachRetained(String filter, Consumer<Publication> visitor) {
    countExpired(retained.forEach(filter, now(), visitor));
  }

  void listDetached(InMemorySession session, boolean expires) {
    sessions.listDetached(session);
    if (expires) {
      sweeper.ensureStarted();
    }
  }

  void unlistDetached(InMemorySession session) {
    sessions.unlistDetached(session);
  }

  /** An offline session queued a message that will expire: the sweep has work. */
  void expiringQueued() {
    sweeper.ensureStarted();
  }

  void forget(InMemorySession session) {
    sessions.forget(session);
  }

  void countDrop() {
    dropped.increment();
  }

  void countExpired(int copies) {
    if (copies > 0) {
      expiredMessages.add(copies);
    }
  }

  /** Number of sessions held, connected or not. */
  public int sessionCount() {
    return sessions.size();
  }

  /** Number of retained messages held. */
  public int retainedCount() {
    return retained.size();
  }

  /** Bytes of the retained messages held (payload and topic of each). */
  public long retainedBytes() {
    return retained.bytes();
  }

  /** Retained publications refused for {@code maxRetainedMessages}/{@code maxRetainedBytes}. */
  public long refusedRetained() {
    return retained.refused();
  }

  /**
   * Messages dropped because a session's queue was full (either bound), or no member of a shared
   * group had room, since start.
   */
  public long droppedMessages() {
    return dropped.sum();
  }

  /**
   * Messages let go of because they expired, since start: each queued copy, each retained
   * message, and each publication already expired when routed counts once.
   */
  public long expiredMessages() {
    return expiredMessages.sum();
  }

  /** Detached sessions discarded because their expiry interval elapsed, since start. */
  public long expiredSessions() {
    return sessions.expiredCount();
  }

  /** Stops the sweep, drops every session and logs a summary. */
  public void shutdown() {
    sweeper.stop();
    LOG.info("In-memory bridge stopping: {} sessions, {} retained messages, {} routed, {} dropped,"
        + " {} retained refused, {} expired messages, {} expired sessions", sessions.size(),
        retained.size(), routed.sum(), dropped.sum(), retained.refused(), expiredMessages.sum(),
        sessions.expiredCount());
    sessions.discardAll();
  }
}
