package dev.courier.mqtt.transport.internal.bridge.memory;

import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of the in-memory bridge by client id, and which of them are detached.
 *
 * <p>Opening, resuming and expiring a session all happen under the session's map entry, so that
 * a connection resuming a session while the sweep expires it either resumes it first (it is no
 * longer expired) or finds it gone and starts afresh; never both.
 */
final class SessionTable {

  private static final Logger LOG = LoggerFactory.getLogger(SessionTable.class);

  private final ConcurrentHashMap<String, InMemorySession> sessions = new ConcurrentHashMap<>();
  /** Sessions without a connection, which the sweep visits. */
  private final Set<InMemorySession> detached = ConcurrentHashMap.newKeySet();
  private final LongAdder expired = new LongAdder();

  /**
   * Clean Start discards a stored session [MQTT-3.1.2-4]; otherwise one that has not expired is
   * resumed [MQTT-3.1.2-5]. The new session persists if its expiry interval is above 0, also
   * after a Clean Start.
   */
  InMemorySession open(InMemoryBridge bridge, SessionRequest request, long now) {
    return sessions.compute(request.clientId(), (id, existing) -> {
      if (existing != null) {
        if (!request.cleanSession() && existing.resumableAt(now)) {
          existing.resume(request);
          return existing;
        }
        if (existing.expiredAt(now)) {
          countExpired(existing);
        }
        existing.discard();
      }
      return new InMemorySession(bridge, request);
    });
  }

  /** Discards the detached sessions expired at {@code now}; purges the others' queues. */
  void sweep(long now) {
    for (InMemorySession session : detached) {
      if (session.expiredAt(now)) {
        expire(session, now);
      } else {
        session.purgeExpired(now);
      }
    }
  }

  private void expire(InMemorySession session, long now) {
    sessions.computeIfPresent(session.clientId(), (id, current) -> {
      if (current != session || !session.expiredAt(now)) {
        return current;
      }
      countExpired(session);
      session.discard();
      return null;
    });
    if (sessions.get(session.clientId()) != session) {
      detached.remove(session); // discarded, or replaced without being discarded here
    }
  }

  private void countExpired(InMemorySession session) {
    expired.increment();
    LOG.debug("Session of client {} expired", session.clientId());
  }

  void listDetached(InMemorySession session) {
    detached.add(session);
  }

  void unlistDetached(InMemorySession session) {
    detached.remove(session);
  }

  void forget(InMemorySession session) {
    sessions.remove(session.clientId(), session);
  }

  int size() {
    return sessions.size();
  }

  long expiredCount() {
    return expired.sum();
  }

  void discardAll() {
    sessions.values().forEach(session -> session.discard(false));
    sessions.clear();
    detached.clear();
  }
}
