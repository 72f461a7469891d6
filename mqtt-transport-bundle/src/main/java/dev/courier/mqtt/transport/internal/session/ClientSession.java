package dev.courier.mqtt.transport.internal.session;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The transport's half of an MQTT session: protocol state that must outlive a connection of a
 * persistent session — packet identifiers in use, QoS 1/2 messages sent and not yet acknowledged,
 * and QoS 2 packet identifiers received and not yet released. The messaging half (subscriptions,
 * queued messages) lives in the {@link BridgeSession}.
 *
 * <p>Confined to the event loop of the connection that currently owns the session; ownership passes
 * from one connection to the next only after the previous one has let go (see {@link
 * SessionRegistry}), which orders all access.
 */
public final class ClientSession {

  private final String clientId;
  private final boolean clean;
  private BridgeSession bridgeSession;
  /** In send order, so that a resumed session resends in the original order [MQTT-4.6.0-1]. */
  private LinkedHashMap<Integer, OutboundMessage> outbound;
  private Set<Integer> awaitingRelease;
  private Set<Integer> restored;
  private int lastPacketId;
  /** Counted by the registry as a session that ends with its connection, until removed. */
  private boolean counted;

  /**
   * Creates the state of a new session.
   *
   * @param clientId the client identifier
   * @param clean whether the session ends with its connection
   */
  public ClientSession(String clientId, boolean clean) {
    this.clientId = clientId;
    this.clean = clean;
  }

  public String clientId() {
    return clientId;
  }

  public boolean clean() {
    return clean;
  }

  /** The registry counts this session, which only its connection holds (see SessionRegistry). */
  void counted(boolean value) {
    this.counted = value;
  }

  boolean counted() {
    return counted;
  }

  public BridgeSession bridgeSession() {
    return bridgeSession;
  }

  public void bridgeSession(BridgeSession session) {
    this.bridgeSession = session;
  }

  /** Number of QoS 1/2 deliveries in flight to the client. */
  public int inflightCount() {
    return outbound == null ? 0 : outbound.size();
  }

  /**
   * Assigns a free packet identifier to a delivery and records it as in flight.
   *
   * @return the recorded message; its packet id is non-zero and unused [MQTT-2.3.1-2]
   * @throws IllegalStateException if all 65535 identifiers are in use (the in-flight bound prevents
   *     this)
   */
  public OutboundMessage startDelivery(Delivery delivery) {
    if (outbound == null) {
      outbound = new LinkedHashMap<>();
    }
    if (outbound.size() >= 65535) {
      throw new IllegalStateException("no free packet identifier for client " + clientId);
    }
    int id = lastPacketId;
    do {
      id = id == 65535 ? 1 : id + 1;
    } while (outbound.containsKey(id));
    lastPacketId = id;
    OutboundMessage message = new OutboundMessage(delivery, id);
    outbound.put(id, message);
    return message;
  }

  /** The in-flight message with this packet id, or null. */
  public OutboundMessage inflight(int packetId) {
    return outbound == null ? null : outbound.get(packetId);
  }

  /** Removes and returns the in-flight message with this packet id, or null. */
  public OutboundMessage complete(int packetId) {
    return outbound == null ? null : outbound.remove(packetId);
  }

  /** The in-flight messages in the order they were first sent. */
  public List<OutboundMessage> inflightInOrder() {
    return outbound == null ? List.of() : new ArrayList<>(outbound.values());
  }

  /**
   * Records a QoS 2 packet identifier received from the client.
   *
   * @param dup the PUBLISH's DUP flag
   * @return true if the message is new; false if a PUBLISH with this id is already awaiting PUBREL,
   *     so the message must not be forwarded again [MQTT-4.3.3-2]. An id restored from the bridge
   *     ({@link #restoreQos2}) may be stale, so for it only a resend (DUP set) is a duplicate, and
   *     only the first time it is seen.
   */
  public boolean receiveQos2(int packetId, boolean dup) {
    if (awaitingRelease == null) {
      awaitingRelease = new HashSet<>();
    }
    if (awaitingRelease.add(packetId)) {
      return true;
    }
    return restored != null && restored.remove(packetId) && !dup;
  }

  /**
   * Records a QoS 2 packet identifier that a bridge stored before a restart as still awaiting
   * PUBREL. Such an id may be stale (the bridge stores PUBREL asynchronously): see {@link
   * #receiveQos2}.
   */
  public void restoreQos2(int packetId) {
    if (awaitingRelease == null) {
      awaitingRelease = new HashSet<>();
    }
    awaitingRelease.add(packetId);
    if (restored == null) {
      restored = new HashSet<>();
    }
    restored.add(packetId);
  }

  /** Records PUBREL for a QoS 2 packet identifier; returns whether it was known. */
  public boolean releaseQos2(int packetId) {
    if (restored != null) {
      restored.remove(packetId);
    }
    return awaitingRelease != null && awaitingRelease.remove(packetId);
  }

  /** Number of QoS 2 messages received and not yet released. */
  public int awaitingReleaseCount() {
    return awaitingRelease == null ? 0 : awaitingRelease.size();
  }

  @Override
  public String toString() {
    return "ClientSession[" + clientId + (clean ? ", clean" : ", persistent") + "]";
  }
}
