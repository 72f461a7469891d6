package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.protocol.context.TransportStatistics;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionPort;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionEvents;
import dev.courier.mqtt.transport.internal.protocol.context.EngineParts;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.session.ClientSnapshot;
import dev.courier.mqtt.transport.internal.session.SessionOwner;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.internal.topic.ReservedTopics;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The protocol engine of one running transport, and its one front door: the network layer sees
 * only this and {@link ConnectionPort}. It holds what every connection shares (the settings, the
 * sessions, the bridge, access control, the topics closed to clients, the counters) and makes the
 * engine of each new connection. Immutable; a configuration change makes a new engine over the same
 * sessions and counters ({@link #withConfig}).
 */
public final class MqttEngine {

  private final EngineParts parts;

  /**
   * An engine over {@code bridge}, reserving what it declares.
   *
   * @param config the transport settings
   * @param registry sessions and their owners
   * @param bridge where messages go
   * @param access the authenticator and authorizer in force, and whether they are required
   * @param statistics the transport's counters
   * @throws IllegalArgumentException if the bridge declares an invalid reserved topic filter (a
   *     bridge fault)
   */
  public MqttEngine(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
      AccessControl access, TransportStatistics statistics) {
    this(new EngineParts(config, registry, bridge, access,
        ReservedTopics.of(bridge.reservedTopics()), statistics));
  }

  /** An engine with its own counters: for tests and tools. */
  public MqttEngine(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
      AccessControl access) {
    this(config, registry, bridge, access, new TransportStatistics());
  }

  private MqttEngine(EngineParts parts) {
    this.parts = parts;
    // Every engine, a reconfigured one too, tells its bridge the retained bounds in force.
    TransportConfig config = parts.config();
    parts.bridge().limitRetained(config.maxRetainedMessages(), config.maxRetainedBytes());
  }

  /** The same engine writing its connection events to {@code events}: for tests. */
  public MqttEngine withEvents(ConnectionEvents events) {
    return new MqttEngine(parts.withEvents(events));
  }

  /** The same engine with other settings; connections made before keep theirs. */
  public MqttEngine withConfig(TransportConfig next) {
    return new MqttEngine(parts.withConfig(next));
  }

  /**
   * The engine of a new network connection. Call on the connection's own thread.
   *
   * @param port the connection
   * @return its engine, which the network layer feeds packets and events
   */
  public MqttConnection newConnection(ConnectionPort port) {
    return new MqttConnection(port, parts);
  }

  public TransportConfig config() {
    return parts.config();
  }

  public MessagingBridge bridge() {
    return parts.bridge();
  }

  public TransportStatistics statistics() {
    return parts.statistics();
  }

  /** Connections that completed CONNECT/CONNACK and are open. */
  public int connectedClients() {
    return parts.registry().connectedCount();
  }

  /**
   * The connected clients, each described on its own loop; one that does not answer within a
   * second is left out. Blocks: not for an event loop.
   */
  public List<ClientSnapshot> clients() {
    List<CompletableFuture<ClientSnapshot>> asked = new ArrayList<>();
    for (SessionOwner owner : parts.registry().owners()) {
      asked.add(owner.describe().toCompletableFuture());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    List<ClientSnapshot> clients = new ArrayList<>(asked.size());
    for (CompletableFuture<ClientSnapshot> answer : asked) {
      try {
        ClientSnapshot client = answer.get(Math.max(0, deadline - System.nanoTime()),
            TimeUnit.NANOSECONDS);
        if (client != null) {
          clients.add(client);
        }
      } catch (TimeoutException | ExecutionException e) {
        // busy or gone: left out
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return clients;
  }

  /** Disconnects the client with this id for an administrator; false if it is not connected. */
  public boolean kick(String clientId, String reason) {
    SessionOwner owner = parts.registry().owner(clientId);
    if (owner == null) {
      return false;
    }
    owner.kick(reason);
    return true;
  }

  /** Sessions held: connected clients and persistent sessions of absent ones. */
  public int sessions() {
    return parts.registry().sessionCount();
  }
}
