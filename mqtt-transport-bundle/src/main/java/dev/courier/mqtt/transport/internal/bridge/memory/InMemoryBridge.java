package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.topic.RetainedIndex;
import dev.courier.mqtt.transport.internal.topic.SubscriptionTrie;
import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in bridge: routing, retained messages and session queues held in memory. Used when no
 * host bridge service is registered; everything is lost when the transport stops.
 *
 * <p>Thread-safe. Routing is lock-free for publishers: the subscription trie and the retained index
 * are read without locks, and each session's queue is a multi-producer queue.
 */
public final class InMemoryBridge implements MessagingBridge {

  private static final Logger LOG = LoggerFactory.getLogger(InMemoryBridge.class);
  static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final SubscriptionTrie<InMemorySession, Integer> subscriptions = new SubscriptionTrie<>();
  private final RetainedIndex<Publication> retained = new RetainedIndex<>();
  private final ConcurrentHashMap<String, InMemorySession> sessions = new ConcurrentHashMap<>();
  private final LongAdder routed = new LongAdder();
  private final LongAdder dropped = new LongAdder();

  /** Per routing thread: collects matches so that each session gets a message once. */
  private final ThreadLocal<RouteCollector> collectors = ThreadLocal.withInitial(RouteCollector::new);

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public CompletionStage<BridgeSession> openSession(SessionRequest request) {
    InMemorySession session;
    if (request.cleanSession()) {
      InMemorySession old = sessions.remove(request.clientId());
      if (old != null) {
        old.discard();
      }
      session = new InMemorySession(this, request, false);
      sessions.put(request.clientId(), session);
    } else {
      session = sessions.compute(request.clientId(), (id, existing) -> {
        if (existing != null && !existing.isClean()) {
          existing.resume(request.maxQueuedMessages());
          return existing;
        }
        if (existing != null) {
          existing.discard();
        }
        return new InMemorySession(this, request, false);
      });
    }
    return CompletableFuture.completedFuture(session);
  }

  /** Routes one publication; returns a stage that is incomplete while a target is congested. */
  CompletionStage<Void> route(Publication publication) {
    if (publication.retain()) {
      // [MQTT-3.3.1-10] a retained message with an empty payload removes the stored one,
      // [MQTT-3.3.1-11] and is not stored itself; [MQTT-3.3.1-7] a new one replaces the old.
      if (publication.payload().length == 0) {
        retained.remove(publication.topic());
      } else {
        retained.put(publication.topic(), publication);
      }
    }
    RouteCollector collector = collectors.get();
    try {
      subscriptions.match(publication.topic(), collector);
      CompletionStage<Void> result = DONE;
      int n = collector.size();
      for (int i = 0; i < n; i++) {
        CompletionStage<Void> accepted =
            collector.session(i).enqueue(publication, Math.min(publication.qos(), collector.qos(i)),
                false);
        if (accepted != DONE) {
          result = accepted;
        }
      }
      routed.increment();
      return result;
    } finally {
      collector.clear();
    }
  }

  void addSubscription(String filter, InMemorySession session, int qos) {
    subscriptions.put(filter, session, qos);
  }

  void removeSubscription(String filter, InMemorySession session) {
    subscriptions.remove(filter, session);
  }

  void forEachRetained(String filter, java.util.function.Consumer<Publication> visitor) {
    retained.match(filter, visitor);
  }

  void forget(InMemorySession session) {
    sessions.remove(session.clientId(), session);
  }

  void countDrop() {
    dropped.increment();
  }

  /** Number of sessions held, connected or not. */
  public int sessionCount() {
    return sessions.size();
  }

  /** Number of retained messages held. */
  public int retainedCount() {
    return retained.size();
  }

  /** Messages dropped because a session's queue was full, since start. */
  public long droppedMessages() {
    return dropped.sum();
  }

  /** Logs a summary on shutdown. */
  public void shutdown() {
    LOG.info("In-memory bridge stopping: {} sessions, {} retained messages, {} routed, {} dropped",
        sessions.size(), retained.size(), routed.sum(), dropped.sum());
    sessions.values().forEach(InMemorySession::discard);
    sessions.clear();
  }
}
