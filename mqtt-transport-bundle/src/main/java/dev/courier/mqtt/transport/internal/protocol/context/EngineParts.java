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
 */
public record EngineParts(TransportConfig config, SessionRegistry registry, MessagingBridge bridge,
    AccessControl access, ReservedTopics reserved, TransportStatistics statistics) {

  public EngineParts {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(bridge, "bridge");
    Objects.requireNonNull(access, "access");
    Objects.requireNonNull(reserved, "reserved");
    Objects.requireNonNull(statistics, "statistics");
  }

  /** The same parts with other settings. */
  public EngineParts withConfig(TransportConfig next) {
    return new EngineParts(next, registry, bridge, access, reserved, statistics);
  }
}
