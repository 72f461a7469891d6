package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.DeliverySink;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session of the in-memory bridge: its subscriptions and a bounded multi-producer queue of
 * deliveries that the transport polls.
 *
 * <p>Bounds: while a client is connected and its queue is above half of {@code maxQueuedMessages},
 * the {@link #publish} stages of publishers routing to it stay incomplete until the queue drains to
 * a quarter: the transport then stops reading from those publishers (once each has {@code
 * maxInflightMessages} publications pending), so a slow subscriber slows publishers down instead of
 * losing their messages. A publisher is held back at most {@value #CONGESTION_TIMEOUT_MILLIS} ms per
 * wait, so that clients publishing to each other cannot stall each other for good. Above the bound,
 * QoS 0 messages are dropped and counted; QoS 1 and 2 are still taken up to twice the bound (the
 * throttled publishers keep the overshoot small), then dropped and counted. A detached (offline) session
 * applies no pressure: it queues QoS 1 and 2 up to the bound (queueing QoS 0 for offline clients is
 * optional, [MQTT-3.1.2-5]) and drops newer ones beyond it, counted, so what is queued stays in
 * order.
 */
final class InMemorySession implements BridgeSession {

  private static final Logger LOG = LoggerFactory.getLogger(InMemorySession.class);
  private static final VarHandle CONGESTION;
  /** Longest a publisher is held back by one congested session before it may go on. */
  static final long CONGESTION_TIMEOUT_MILLIS = 2000;

  static {
    try {
      CONGESTION = MethodHandles.lookup()
          .findVarHandle(InMemorySession.class, "congestion", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final InMemoryBridge bridge;
  private final String clientId;
  private final boolean clean;
  private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong tags = new AtomicLong();
  private final AtomicLong droppedHere = new AtomicLong();
  /** Filter to granted QoS; written on the owner's thread, read when the session is discarded. */
  private final ConcurrentHashMap<String, Integer> filters = new ConcurrentHashMap<>();

  private volatile int maxQueued;
  private volatile boolean present;
  private volatile boolean closed;
  private volatile DeliverySink sink;
  /** Completed (and cleared) when the queue drains below the low-water mark. */
  @SuppressWarnings("unused") // accessed through CONGESTION
  private volatile CompletableFuture<Void> congestion;

  InMemorySession(InMemoryBridge bridge, SessionRequest request, boolean present) {
    this.bridge = bridge;
    this.clientId = request.clientId();
    this.clean = request.cleanSession();
    this.maxQueued = request.maxQueuedMessages();
    this.present = present;
  }

  String clientId() {
    return clientId;
  }

  boolean isClean() {
    return clean;
  }

  /** A persistent session is opened again by a new connection. */
  void resume(int maxQueuedMessages) {
    this.maxQueued = maxQueuedMessages;
    this.present = true;
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
  CompletionStage<Void> enqueue(Publication publication, int qos, boolean retained) {
    DeliverySink target = sink;
    if (closed || (target == null && qos == 0)) {
      return InMemoryBridge.DONE;
    }
    int limit = maxQueued;
    int size = queued.incrementAndGet();
    // Online, QoS 1/2 may overshoot the bound while publishers routing here are throttled (see
    // congested()); a hard ceiling of twice the bound still holds if throttling times out.
    boolean full = target == null || qos == 0 ? size > limit : size > 2L * limit;
    if (full) {
      queued.decrementAndGet();
      bridge.countDrop();
      long drops = droppedHere.incrementAndGet();
      if (drops == 1 || drops % 10_000 == 0) {
        LOG.warn("Session queue of client {} is full ({} messages): dropped {} message(s) so far",
            clientId, limit, drops);
      }
      return InMemoryBridge.DONE;
    }
    long tag = qos == 0 ? 0 : tags.incrementAndGet();
    queue.offer(new Delivery(publication.topic(), publication.payload(), qos, retained, false, tag));
    if (target != null) {
      target.messagesAvailable();
      if (size > limit / 2) {
        return congested();
      }
    }
    return InMemoryBridge.DONE;
  }

  private CompletionStage<Void> congested() {
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> current = (CompletableFuture<Void>) CONGESTION.getVolatile(this);
    if (current == null) {
      // Bounded wait: two clients publishing to each other could otherwise throttle each other
      // for good (neither reads the other's acknowledgements).
      CompletableFuture<Void> fresh = new CompletableFuture<Void>()
          .completeOnTimeout(null, CONGESTION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      current = CONGESTION.compareAndSet(this, null, fresh)
          ? fresh
          : (CompletableFuture<Void>) CONGESTION.getVolatile(this);
      if (current == null) {
        return InMemoryBridge.DONE; // released in between
      }
    }
    // The consumer may have drained below the low-water mark before the future was published.
    if (queued.get() <= maxQueued / 4 || sink == null || closed) {
      releaseCongestion();
    }
    return current;
  }

  private void releaseCongestion() {
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> waiting = (CompletableFuture<Void>) CONGESTION.getAndSet(this, null);
    if (waiting != null) {
      waiting.complete(null);
    }
  }

  @Override
  public CompletionStage<List<Integer>> subscribe(List<SubscriptionRequest> requests) {
    List<Integer> granted = new ArrayList<>(requests.size());
    for (SubscriptionRequest request : requests) {
      // [MQTT-3.8.4-3] a subscription with the same filter replaces the existing one.
      filters.put(request.filter(), request.qos());
      bridge.addSubscription(request.filter(), this, request.qos());
      granted.add(request.qos());
    }
    // [MQTT-3.3.1-6] retained messages matching a new subscription are sent with RETAIN set.
    for (SubscriptionRequest request : requests) {
      bridge.forEachRetained(request.filter(),
          message -> enqueue(message, Math.min(message.qos(), request.qos()), true));
    }
    return CompletableFuture.completedFuture(granted);
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
    if (!queue.isEmpty()) {
      deliverySink.messagesAvailable();
    }
  }

  @Override
  public void detach() {
    this.sink = null;
    releaseCongestion();
  }

  @Override
  public Delivery poll() {
    Delivery next = queue.poll();
    if (next != null) {
      int size = queued.decrementAndGet();
      if (size <= maxQueued / 4 && CONGESTION.getVolatile(this) != null) {
        releaseCongestion();
      }
    }
    return next;
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
    queued.set(0);
    releaseCongestion();
  }

  /** Number of deliveries queued now. */
  int queuedCount() {
    return queued.get();
  }

  @Override
  public String toString() {
    return "InMemorySession[" + clientId + "]";
  }
}
