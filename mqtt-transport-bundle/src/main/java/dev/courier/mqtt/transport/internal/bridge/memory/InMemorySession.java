package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 */
final class InMemorySession implements BridgeSession {

  /** {@link #deadline} of a session that is connected or never expires. */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  private final InMemoryBridge bridge;
  private final String clientId;
  private final DeliveryQueue queue;
  private final SessionSubscriptions subscriptions;

  private volatile long expirySeconds;
  /** When a detached session expires, epoch millis, or {@link #NO_DEADLINE}. */
  private volatile long deadline = NO_DEADLINE;
  private volatile boolean present;
  private volatile boolean closed;
  private volatile DeliverySink sink;

  InMemorySession(InMemoryBridge bridge, SessionRequest request) {
    this.bridge = bridge;
    this.clientId = request.clientId();
    this.queue = new DeliveryQueue(bridge, clientId, request.maxQueuedMessages());
    this.subscriptions = new SessionSubscriptions(bridge, this);
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
    queue.maxQueued(request.maxQueuedMessages());
    expirySeconds = request.sessionExpirySeconds();
    deadline = NO_DEADLINE;
    present = true;
    bridge.unlistDetached(this);
  }

  @Override
  public boolean present() {
    return present;
  }

  @Override
  public CompletionStage<Void> publish(Publication publication) {
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
    CompletionStage<Void> accepted =
        queue.offer(target, publication, qos, retain, subscriptionIds);
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
    return CompletableFuture.completedFuture(subscriptions.subscribe(requests));
  }

  @Override
  public CompletionStage<Void> unsubscribe(List<String> unsubscribed) {
    subscriptions.unsubscribe(unsubscribed);
    return InMemoryBridge.DONE;
  }

  @Override
  public void attach(DeliverySink deliverySink) {
    this.sink = deliverySink;
    bridge.unlistDetached(this);
    if (!queue.isEmpty()) {
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
    bridge.listDetached(this, deadline != NO_DEADLINE);
  }

  @Override
  public Delivery poll() {
    return queue.poll();
  }

  @Override
  public void acknowledge(long tag) {
    // Nothing to do: an in-memory delivery is forgotten once polled; the transport keeps the
    // in-flight copy until the client acknowledges it.
  }

  @Override
  public CompletionStage<Void> close() {
    discard();
    bridge.forget(this);
    return InMemoryBridge.DONE;
  }

  /** Drops subscriptions and queued messages; idempotent. */
  void discard() {
    closed = true;
    sink = null;
    subscriptions.removeAll();
    queue.clear();
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
