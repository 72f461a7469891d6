package dev.courier.mqtt.transport.spi.auth;

import java.util.Objects;
import java.util.Set;

/**
 * Who a connected client is, as decided by the {@link Authenticator}: passed to the {@link
 * Authorizer} for every topic decision.
 *
 * @param clientId the client identifier
 * @param username the authenticated user name, or null for an anonymous client
 * @param roles the roles (groups) of the user; empty for anonymous clients
 * @since 0.2
 */
public record ClientIdentity(String clientId, String username, Set<String> roles) {

  /** Validates and copies the arguments. */
  public ClientIdentity {
    Objects.requireNonNull(clientId, "clientId");
    roles = roles == null ? Set.of() : Set.copyOf(roles);
  }

  /** An anonymous client. */
  public static ClientIdentity anonymous(String clientId) {
    return new ClientIdentity(clientId, null, Set.of());
  }

  /** Whether the client did not authenticate. */
  public boolean isAnonymous() {
    return username == null;
  }
}
