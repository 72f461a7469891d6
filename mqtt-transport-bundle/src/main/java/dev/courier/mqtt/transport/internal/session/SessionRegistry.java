package dev.courier.mqtt.transport.internal.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions and the connected owners of one transport instance, by client id.
 *
 * <p>Takeover protocol: a connecting client first {@link #claim claims} its client id; if another
 * connection held it, that one is told to {@link SessionOwner#takeOver() let go}, and the claim
 * completes only after it has. Session state is therefore touched by one connection at a time.
 *
 * <p>A session that ends with its connection ({@link #openTransient}) is held by that connection
 * alone and only counted here: no later connection can find it, so no entry per connection.
 */
public final class SessionRegistry {

  private final ConcurrentHashMap<String, SessionOwner> owners = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ClientSession> sessions = new ConcurrentHashMap<>();
  /** Sessions of {@link #openTransient} not removed yet. */
  private final AtomicInteger transientSessions = new AtomicInteger();
  private final DelayedWills wills = new DelayedWills();

  /** Will messages waiting out their delay after their connection closed. */
  public DelayedWills wills() {
    return wills;
  }

  /**
   * Makes {@code owner} the connection of {@code clientId}.
   *
   * @return completes when any previous owner has let go of the session
   */
  public CompletionStage<Void> claim(String clientId, SessionOwner owner) {
    SessionOwner previous = owners.put(clientId, owner);
    if (previous == null || previous == owner) {
      return CompletableFuture.completedFuture(null);
    }
    return previous.takeOver();
  }

  /** Whether {@code owner} still holds the client id (it may have been taken over since). */
  public boolean owns(String clientId, SessionOwner owner) {
    return owners.get(clientId) == owner;
  }

  /** Releases the client id if {@code owner} still holds it. */
  public void release(String clientId, SessionOwner owner) {
    owners.remove(clientId, owner);
  }

  /**
   * The session to use for a connection that now owns {@code clientId}: the stored one if it is
   * persistent and {@code clean} is false, otherwise a new one that replaces any stored one (the
   * bridge discards the messaging half of a replaced session itself).
   */
  public ClientSession open(String clientId, boolean clean) {
    ClientSession existing = sessions.get(clientId);
    if (existing != null && !clean && !existing.clean()) {
      return existing;
    }
    ClientSession fresh = new ClientSession(clientId, clean);
    sessions.put(clientId, fresh);
    return fresh;
  }

  /**
   * A new session that ends with its connection (clean, or expiry interval 0), for a connection
   * that now owns {@code clientId}: it replaces any stored one, and is not stored itself.
   */
  public ClientSession openTransient(String clientId) {
    sessions.remove(clientId);
    ClientSession fresh = new ClientSession(clientId, true);
    fresh.counted(true);
    transientSessions.incrementAndGet();
    return fresh;
  }

  /** Forgets a session (clean session ended). A second call does nothing. */
  public void remove(ClientSession session) {
    if (session.counted()) {
      session.counted(false);
      transientSessions.decrementAndGet();
    } else {
      sessions.remove(session.clientId(), session);
    }
  }

  /** Connected clients. */
  public int connectedCount() {
    return owners.size();
  }

  /** Sessions held, connected or not. */
  public int sessionCount() {
    return sessions.size() + transientSessions.get();
  }

  /** The connection that holds {@code clientId} now, or null. */
  public SessionOwner owner(String clientId) {
    return owners.get(clientId);
  }

  /** All connected owners, for shutdown. */
  public Iterable<SessionOwner> owners() {
    return owners.values();
  }
}
