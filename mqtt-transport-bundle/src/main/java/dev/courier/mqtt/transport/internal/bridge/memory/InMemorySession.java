package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.PublishResult;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One session of the in-memory bridge: its subscriptions with their options, a bounded {@link
 * DeliveryQueue} that the transport polls, and its expiry.
 *
 * <p>Lifetime (MQTT 5.0 section 3.1.2.11): a session opened with a Session Expiry Interval of 0
 * ends with its connection; otherwise {@link #detach(long)} keeps it for the interval given
 * there (0 ends it at once, {@link SessionRequest#NEVER} keeps it until a Clean Start), after
 * which the bridge discards it, queue and subscriptions, unless a connection resumed it first.
 * The deadline is read under the bridge's session map entry, so an expiry and a resumption never
 * both win.
 *
 * <p>Shared subscriptions (see {@link SharedGroup}): what a group gave this session and it has not
 * handed out yet goes to another attached member when the session detaches (it stays here if there
 * is none); when the session ends, that and what it handed out and the client has not acknowledged
 * go to another member of the group, if any.
 *
 * <p>An idle session holds little: its subscriptions are made at the first SUBSCRIBE (on the
 * owner's thread, published through a volatile field and read as none before), and its queue and
 * shared in-flight map make their own parts when first needed.
 */
final class InMemorySession implements BridgeSession, Subscriber {

  /** {@link #deadline} of a session that is connected or never expires. */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  private final InMemoryBridge bridge;
  private final String clientId;
  private final DeliveryQueue queue;
  /** Made at the first SUBSCRIBE (owner's thread); null before. */
  private volatile SessionSubscriptions subscriptions;
  private final SharedInFlight sharedInFlight = new SharedInFlight();

  private volatile long expirySeconds;
  /** When a detached session expires, epoch millis, or {@link #NO_DEADLINE}. */
  private volatile long deadline = NO_DEADLINE;
  private volatile boolean present;
  private volatile boolean closed;
  private volatile DeliverySink sink;

  InMemorySession(InMemoryBridge bridge, SessionRequest request) {
    this.bridge = bridge;
    this.clientId = request.clientId();
    this.queue = new DeliveryQueue(bridge, clientId, request.maxQueuedMessages(),
        request.maxQueuedBytes());
    this.expirySeconds = request.sessionExpirySeconds();
  }

  String clientId() {
    return clientId;
  }

  /** Whether a connection with Clean Start 0 may resume this session at {@code now}. */
  boolean resumableAt(long now) {
    return !closed && expirySeconds > 0 && !expiredAt(now);
  }

  /** Whether this session is detached and its expiry interval has elapsed at {@code now}. */
  boolean expiredAt(long now) {
    return sink == null && deadline <= now;
  }

  /** A stored session is opened again by a new connection; the new request's interval holds. */
  void resume(SessionRequest request) {
    queue.bounds(request.maxQueuedMessages(), request.maxQueuedBytes());
    expirySeconds = request.sessionExpirySeconds();
    deadline = NO_DEADLINE;
    present = true;
    bridge.unlistDetached(this);
  }

  @Override
  public boolean present() {
    return present;
  }

  /** The 0.4 contract: completes when kept, fails when the retained bounds refused it. */
  @Override
  public CompletionStage<Void> publish(Publication publication) {
    CompletionStage<PublishResult> routed = bridge.route(publication);
    if (routed == InMemoryBridge.ACCEPTED || routed == InMemoryBridge.NO_MATCH) {
      return InMemoryBridge.DONE;
    }
    if (routed == InMemoryBridge.REFUSED) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("retained message refused: retained bounds reached"));
    }
    return routed.thenApply(ignored -> null);
  }

  /** Routes it and says whether any subscription matched (0x10 to a 5.0 publisher if none). */
  @Override
  public CompletionStage<PublishResult> route(Publication publication, int packetId) {
    // QoS 2 needs no record here: this bridge does not outlive the transport's own state.
    return bridge.route(publication);
  }

  /**
   * Queues a message for this session; called by routing threads concurrently.
   *
   * @return {@link InMemoryBridge#DONE}, or an incomplete stage while this session is congested
   */
  CompletionStage<Void> enqueue(Publication publication, int qos, boolean retain,
      int[] subscriptionIds) {
    DeliverySink target = sink;
    if (closed || (target == null && qos == 0)) {
      return InMemoryBridge.DONE;
    }
    return accepted(target, publication,
        queue.offer(target, publication, qos, retain, subscriptionIds, null));
  }

  /**
   * Queues a message a shared group chose this session for; called by routing threads
   * concurrently.
   *
   * @param attachedOnly refuse while the session is detached
   * @return as {@link #enqueue}, or null if this session does not take it now (detached, ended,
   *     or its queue is full): the group tries another member
   */
  CompletionStage<Void> enqueueShared(SharedGroup group, Publication publication, int qos,
      boolean retain, int[] subscriptionIds, boolean attachedOnly) {
    DeliverySink target = sink;
    if (closed || (target == null && (attachedOnly || qos == 0))) {
      return null;
    }
    CompletionStage<Void> accepted =
        queue.offer(target, publication, qos, retain, subscriptionIds, group);
    if (accepted == null) {
      return null;
    }
    if (closed) {
      // Ended while this was queued, perhaps after discard() emptied the queue: whoever takes the
      // entry out hands it on.
      queue.removeAll(SharedEntry::passOn);
      return InMemoryBridge.DONE;
    }
    return accepted(target, publication, accepted);
  }

  private CompletionStage<Void> accepted(DeliverySink target, Publication publication,
      CompletionStage<Void> accepted) {
    if (accepted != InMemoryBridge.DONE) {
      // The consumer may have drained, or gone, before the throttle was published.
      if (queue.drained() || sink == null || closed) {
        queue.releaseCongestion();
      }
    } else if (target == null && publication.properties().expiresAtMillis() != 0) {
      bridge.expiringQueued(); // an offline queue holds a message that will expire
    }
    return accepted;
  }

  @Override
  public CompletionStage<List<Integer>> subscribe(List<SubscriptionRequest> requests) {
    SessionSubscriptions current = subscriptions;
    if (current == null) {
      current = new SessionSubscriptions(bridge, this, queue);
      subscriptions = current; // only the owner's thread subscribes
    }
    return CompletableFuture.completedFuture(current.subscribe(requests));
  }

  @Override
  public CompletionStage<Void> unsubscribe(List<String> unsubscribed) {
    unsubscribeExisting(unsubscribed);
    return InMemoryBridge.DONE;
  }

  /** Says which keys were held: this bridge has every subscription of a resumed session. */
  @Override
  public CompletionStage<List<Boolean>> unsubscribeExisting(List<String> unsubscribed) {
    SessionSubscriptions current = subscriptions;
    if (current == null) {
      return CompletableFuture.completedFuture(
          Collections.nCopies(unsubscribed.size(), Boolean.FALSE));
    }
    return CompletableFuture.completedFuture(current.unsubscribe(unsubscribed));
  }

  /** Whether a client is connected (deliveries are signalled). */
  boolean attached() {
    return sink != null && !closed;
  }

  /** Whether a new delivery would not slow its publisher down. */
  boolean belowThrottle() {
    return queue.belowThrottle();
  }

  @Override
  public void attach(DeliverySink deliverySink) {
    this.sink = deliverySink;
    bridge.unlistDetached(this);
    if (queue.size() > 0) {
      deliverySink.messagesAvailable();
    }
  }

  /** Detaches with the interval the session was opened (or last resumed) with. */
  @Override
  public void detach() {
    detach(expirySeconds);
  }

  @Override
  public void detach(long sessionExpirySeconds) {
    if (sessionExpirySeconds <= 0) {
      close(); // MQTT 5.0 section 3.1.2.11.2: 0 ends the session with the connection
      return;
    }
    expirySeconds = Math.min(sessionExpirySeconds, SessionRequest.NEVER);
    deadline = expirySeconds == SessionRequest.NEVER
        ? NO_DEADLINE
        : bridge.now() + expirySeconds * 1000;
    sink = null;
    queue.releaseCongestion();
    // Before the sweep may visit (and purge) this queue: shared deliveries not handed out yet go
    // to a connected member at once; those in flight stay for the client to complete.
    queue.handOver(entry -> entry.group().offer(entry.publication(), true) != null);
    bridge.listDetached(this, deadline != NO_DEADLINE);
  }

  @Override
  public Delivery poll() {
    return sharedInFlight.handedOut(queue.poll());
  }

  /** An ordinary delivery is forgotten once polled; a shared one is kept until acknowledged. */
  @Override
  public void acknowledge(long tag) {
    sharedInFlight.acknowledged(tag);
  }

  @Override
  public CompletionStage<Void> close() {
    discard();
    bridge.forget(this);
    return InMemoryBridge.DONE;
  }

  /** Ends the session: shared deliveries it holds go to other members of their groups. */
  void discard() {
    discard(true);
  }

  /**
   * Drops subscriptions and queued messages; idempotent.
   *
   * @param handOver give the shared deliveries, queued or in flight, to other members (not when
   *     the whole bridge stops)
   */
  void discard(boolean handOver) {
    closed = true;
    sink = null;
    SessionSubscriptions current = subscriptions;
    if (current != null) {
      current.removeAll(); // first: a group hands nothing back to this session
    }
    Consumer<SharedEntry> orphans = handOver ? SharedEntry::passOn : entry -> { };
    sharedInFlight.endAll(orphans);
    queue.removeAll(orphans);
    bridge.unlistDetached(this); // no longer among the detached sessions the sweep visits
  }

  /** The sweep: lets go of queued messages that expired while the session is offline. */
  void purgeExpired(long now) {
    if (queue.mayHoldExpired(now)) {
      queue.purgeExpired(now);
    }
  }

  /** Number of deliveries queued now. */
  int queuedCount() {
    return queue.size();
  }

  @Override
  public String toString() {
    return "InMemorySession[" + clientId + "]";
  }
}
