package dev.courier.mqtt.transport.internal.session;

import java.time.Instant;

/**
 * A connected client as its connection describes it on its own thread (the component turns it
 * into the API's {@code ConnectedClient}).
 *
 * @param username null for an anonymous client
 * @param protocol {@code 3.1}, {@code 3.1.1} or {@code 5}
 */
public record ClientSnapshot(String clientId, String username, String address, String protocol,
    Instant connectedAt, int keepAliveSeconds, boolean cleanStart, int inFlight) {}
