package dev.courier.mqtt.artemis.internal;

import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening, resuming, detaching and expiring the MQTT sessions of one bridge (MQTT 5.0 sections
 * 3.1.2.4 Clean Start and 3.1.2.11 Session Expiry Interval; 3.1.1's Clean Session is Clean Start
 * with interval 0 for a clean and "never" for a persistent session).
 *
 * <ul>
 *   <li>Clean Start discards any stored session [MQTT-3.1.2-6]; then, with an interval above 0,
 *       the new session persists (durable queues and records).
 *   <li>Without Clean Start a stored session is resumed (present) [MQTT-3.2.2-2], whatever the
 *       new interval; the interval in force is journaled with it.
 *   <li>{@code detach(N)}: 0 ends the session now; {@link SessionRequest#NEVER} keeps it until a
 *       Clean Start; otherwise the detach time and N are journaled and the session is deleted
 *       (queues and records) N s later unless resumed: by the {@link SessionExpiry} sweep while
 *       the broker runs, at the next start if it expired while the broker was down. A session
 *       whose client was connected when the broker went down counts as detached from the start.
 * </ul>
 *
 * <p>Threading: everything here runs on the bridge's executor. Opening and expiring one client's
 * session serialise on a lock striped by client id, so that an expiry never deletes a session that
 * is being resumed.
 */
final class SessionLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(SessionLifecycle.class);
  private static final int STRIPES = 64;

  private final ArtemisBridge bridge;
  private final SessionStore sessions;
  private final int deliveryBuffer;
  private final Map<String, ArtemisSession> live = new ConcurrentHashMap<>();
  private final Object[] locks = new Object[STRIPES];
  private final SessionExpiry expiry;
  /** When this bridge started: the detach time of sessions whose client was connected then. */
  private final long startedAt;

  SessionLifecycle(ArtemisBridge bridge, SessionStore sessions, int deliveryBuffer) {
    this.bridge = bridge;
    this.sessions = sessions;
    this.deliveryBuffer = deliveryBuffer;
    this.expiry = new SessionExpiry(bridge::now, this::expireLater);
    this.startedAt = bridge.now();
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  private Object lock(String clientId) {
    return locks[(clientId.hashCode() & 0x7fff_ffff) % STRIPES];
  }

  SessionExpiry expiry() {
    return expiry;
  }

  /** At start (stored sessions loaded): deletes the expired ones, schedules the others. */
  void expireOrSchedule() {
    for (SessionStore.Stored stored : java.util.List.copyOf(sessions.all())) {
      if (stored.sessionRecord != 0) {
        long at = stored.expiresAt(startedAt);
        if (at <= bridge.now()) {
          expire(stored.clientId);
        } else {
          expiry.schedule(stored.clientId, at);
        }
      }
    }
  }

  /** Opens or resumes a client's session (bridge executor). */
  ArtemisSession open(SessionRequest request) throws Exception {
    synchronized (lock(request.clientId())) {
      String clientId = request.clientId();
      ArtemisSession current = live.get(clientId);
      if (request.cleanSession()) {
        discardAll(clientId, current); // [MQTT-3.1.2-6]
        return fresh(request);
      }
      if (current != null && current.persistent() && !current.closed()) {
        resume(current.stored(), request);
        current.resumed(request); // the transport detached it first
        return current;
      }
      if (current != null) {
        discard(current);
      }
      SessionStore.Stored stored = sessions.get(clientId);
      if (stored == null || stored.sessionRecord == 0) {
        return fresh(request);
      }
      resume(stored, request);
      ArtemisSession session = new ArtemisSession(bridge, request, stored, true, deliveryBuffer);
      restore(session, stored);
      live.put(clientId, session);
      return session;
    }
  }

  private void resume(SessionStore.Stored stored, SessionRequest request) throws Exception {
    if (stored != null) {
      expiry.unschedule(stored.clientId, stored.expiresAt(startedAt));
      sessions.update(stored, request.sessionExpirySeconds(), 0);
    }
  }

  /** A new session: persistent (stored) if its interval is above 0. */
  private ArtemisSession fresh(SessionRequest request) throws Exception {
    String clientId = request.clientId();
    SessionStore.Stored stored = null;
    if (request.persistent()) {
      stored = sessions.create(clientId, request.sessionExpirySeconds());
      bridge.awaitStored();
    }
    ArtemisSession session = new ArtemisSession(bridge, request, stored, false, deliveryBuffer);
    if (stored != null) {
      restore(session, stored); // subscriptions left without a session record
    }
    live.put(clientId, session);
    return session;
  }

  private void restore(ArtemisSession session, SessionStore.Stored stored) throws Exception {
    for (SessionStore.Subscription subscription : stored.subscriptions.values()) {
      SubscriptionRequest request = subscription.request();
      if (!nameable(stored.clientId, request)) {
        continue; // stored before '::' was refused: its queue is no longer ours to touch
      }
      // A stored member of a group is its Stored (see SharedGroups); joining again changes nothing.
      session.restore(request, request.shared()
          ? bridge.groups().join(request.shareName(), request.filter(), stored)
          : bridge.subscriptionQueue(stored.clientId, request.filter(), true));
    }
  }

  /**
   * The client of a persistent session went away with interval {@code seconds} above 0 (bridge
   * executor): journals it and schedules the expiry, unless the session was resumed or replaced
   * since {@code generation}.
   */
  void detached(ArtemisSession session, long seconds, int generation) throws Exception {
    synchronized (lock(session.clientId())) {
      SessionStore.Stored stored = session.stored();
      if (session.closed() || session.generation() != generation
          || live.get(session.clientId()) != session) {
        return;
      }
      if (seconds >= SessionRequest.NEVER && stored.expirySeconds >= SessionRequest.NEVER) {
        return; // never expires: nothing to journal (every 3.1.1 persistent session)
      }
      long now = bridge.now();
      sessions.update(stored, seconds, now);
      expiry.schedule(session.clientId(), stored.expiresAt(now));
    }
  }

  /** From the sweep (must not block): expires a client's session on the bridge's executor. */
  private void expireLater(String clientId) {
    try {
      bridge.executor().execute(() -> expire(clientId));
    } catch (RejectedExecutionException busy) {
      expiry.schedule(clientId, bridge.now()); // the next sweep tries again
    }
  }

  /** Deletes a client's session if it is detached and its interval has elapsed. */
  void expire(String clientId) {
    synchronized (lock(clientId)) {
      SessionStore.Stored stored = sessions.get(clientId);
      ArtemisSession current = live.get(clientId);
      if (stored == null || (current != null && (current.attached() || current.closed()))
          || (current == null ? stored.expiresAt(startedAt) : detachedExpiry(stored))
              > bridge.now()) {
        return; // resumed, ended, or detached again since
      }
      try {
        discardAll(clientId, current);
        LOG.info("Session of client {} expired", clientId);
      } catch (Exception e) {
        LOG.warn("Could not delete the expired session of client {}: {}", clientId,
            e.toString());
      }
    }
  }

  /** A live detached session's deadline: only once its detach has been journaled. */
  private static long detachedExpiry(SessionStore.Stored stored) {
    return stored.detachedAt == 0 ? Long.MAX_VALUE : stored.expiresAt(0);
  }

  /** Discards a live session and everything stored of the client. */
  private void discardAll(String clientId, ArtemisSession current) throws Exception {
    if (current != null) {
      discard(current);
    }
    SessionStore.Stored stored = sessions.get(clientId);
    if (stored != null) {
      for (SessionStore.Subscription subscription : stored.subscriptions.values()) {
        SubscriptionRequest request = subscription.request();
        if (!nameable(clientId, request)) {
          continue; // its name would locate another queue (TopicMapping.isNameable)
        }
        if (request.shared()) {
          bridge.groups().leave(request.shareName(), request.filter(), stored);
        } else {
          bridge.destroyQueue(bridge.server().locateQueue(
              org.apache.activemq.artemis.api.core.SimpleString.of(
                  ArtemisBridge.queueName(clientId, request.filter()))));
        }
      }
      sessions.delete(stored);
    }
  }

  /** Whether a stored subscription can name its queue (records from before '::' was refused). */
  private static boolean nameable(String clientId, SubscriptionRequest request) {
    if (TopicMapping.isNameable(clientId, request)) {
      return true;
    }
    LOG.warn("Client {}: stored subscription left alone: its client id, filter or ShareName holds"
        + " '::', which Artemis reads as address::queue", clientId);
    return false;
  }

  private void discard(ArtemisSession session) throws Exception {
    live.remove(session.clientId(), session);
    session.end();
    for (SessionSubscription subscription : session.subscriptions()) {
      subscription.remove();
    }
  }

  /** Forgets a closed session. */
  void forget(ArtemisSession session) {
    live.remove(session.clientId(), session);
  }

  int size() {
    return live.size();
  }

  /** The bridge stops: every session hands what it holds back to Artemis; stored state stays. */
  void releaseAll() {
    expiry.stop();
    for (ArtemisSession session : live.values()) {
      session.release();
    }
    live.clear();
  }
}
