package dev.courier.mqtt.transport.internal.protocol.context;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.internal.topic.ReservedTopics;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;
import java.util.Objects;

/**
 * What every connection of a running transport shares: its settings, sessions, bridge, access
 * control, the topics closed to clients and the counters.
 *
 * @param config the transport settings
 * @param registry sessions and their owners
 * @param bridge where messages go
 * @param access the authenticator and authorizer in force, and whether they are required
 * @param reserved the topics no client may reach
 * @param statistics the transport's counters
 * @param negotiations the negotiated limits connections share
 * @param events the connection events log
 */
public record EngineParts(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
    AccessControl access, ReservedTopics reserved, TransportStatistics statistics,
    NegotiatedCache negotiations, ConnectionEvents events) {

  public EngineParts {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(bridge, "bridge");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(reserved, "reserved");
    Objects.requireNonNull(statistics, "statistics");
    Objects.requireNonNull(negotiations, "negotiations");
    Objects.requireNonNull(events, "events");
  }

  /** The parts, with no negotiated limits shared yet. */
  public EngineParts(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
      AccessControl access, ReservedTopics reserved, TransportStatistics statistics) {
    this(config, registry, bridge, access, reserved, statistics, new NegotiatedCache(),
        ConnectionEvents.LOG);
  }

  /** The same parts writing their connection events to {@code other}. */
  public EngineParts withEvents(ConnectionEvents other) {
    return new EngineParts(config, registry, bridge, access, reserved, statistics, negotiations,
        other);
  }

  /** The same parts with other settings (and limits negotiated under them). */
  public EngineParts withConfig(TransportConfig next) {
    return new EngineParts(next, registry, bridge, access, reserved, statistics,
        new NegotiatedCache(), events);
  }
}
