package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import dev.courier.mqtt.transport.internal.topic.ReservedTopics;
import dev.courier.mqtt.transport.spi.bridge.MessagingBridge;

/**
 * What every connection of one running transport shares: its sessions, the bridge, access
 * control, the topics closed to clients and the counters. Built once per listener binding.
 *
 * @param registry sessions and their owners
 * @param bridge where messages go
 * @param access the authenticator and authorizer in force, and whether they are required
 * @param reserved topics no client may publish to, subscribe to or receive from
 * @param statistics the transport's counters
 */
public record ConnectionServices(SessionRegistry registry, MessagingBridge bridge,
    AccessControl access, ReservedTopics reserved, TransportStatistics statistics) {

  /**
   * Services over {@code bridge}, reserving what it declares; a bridge that declares an invalid
   * filter is a bridge fault, reported by the exception.
   *
   * @throws IllegalArgumentException if the bridge declares an invalid reserved topic filter
   */
  public static ConnectionServices of(SessionRegistry registry, MessagingBridge bridge,
      AccessControl access, TransportStatistics statistics) {
    return new ConnectionServices(registry, bridge, access,
        ReservedTopics.of(bridge.reservedTopics()), statistics);
  }
}
