package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

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
  /** Filter to subscription; written on the owner's thread, read when the session is discarded. */
  private final ConcurrentHashMap<String, Subscription> filters = new ConcurrentHashMap<>();

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
    List<Integer> granted = new ArrayList<>(requests.size());
    Subscription[] made = new Subscription[requests.size()];
    boolean[] existed = new boolean[made.length];
    for (int i = 0; i < made.length; i++) {
      SubscriptionRequest request = requests.get(i);
      made[i] = Subscription.of(request);
      // [MQTT-3.8.4-3] a subscription with the same filter replaces the existing one.
      existed[i] = filters.put(request.filter(), made[i]) != null;
      bridge.addSubscription(request.filter(), this, made[i]);
      granted.add(request.qos());
    }
    for (int i = 0; i < made.length; i++) {
      if (made[i].sendsRetained(existed[i])) {
        sendRetained(requests.get(i).filter(), made[i]);
      }
    }
    return CompletableFuture.completedFuture(granted);
  }

  /**
   * Queues the retained messages matching a new subscription, with RETAIN set (section 3.3.1.3),
   * the subscription's identifier [MQTT-3.3.4-3] and the messages' properties; No Local applies
   * to them too [MQTT-3.8.3-3]: a retained message this client published is not sent back.
   */
  private void sendRetained(String filter, Subscription subscription) {
    bridge.forEachRetained(filter, message -> {
      if (subscription.admits(clientId, message.publisherId())) {
        enqueue(message, Math.min(message.qos(), subscription.qos()), true, subscription.ids());
      }
    });
  }

  @Override
  public CompletionStage<Void> unsubscribe(List<String> unsubscribed) {
    for (String filter : unsubscribed) {
      if (filters.remove(filter) != null) {
        bridge.removeSubscription(filter, this);
      }
    }
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
    for (String filter : filters.keySet()) {
      bridge.removeSubscription(filter, this);
    }
    filters.clear();
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
