package dev.courier.mqtt.auth.internal.scram;

import java.util.Objects;
import java.util.Set;

/**
 * One line of the SCRAM credentials file: a user, the secret of its password, and its roles (used
 * for {@code requiredRole} and the topic rules, as the roles of a JAAS login are).
 *
 * @param name the user name as the client sends it in {@code n=}
 * @param secret what the server keeps of the password
 * @param roles the user's roles
 */
public record ScramUser(String name, ScramSecret secret, Set<String> roles) {

  /** Validates and copies. */
  public ScramUser {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(secret, "secret");
    roles = Set.copyOf(roles);
  }
}
