package dev.courier.mqtt.transport.spi.auth;

import java.util.Objects;
import java.util.Set;

/**
 * An {@link Authenticator}'s one decision about a CONNECT.
 *
 * @param outcome accepted, or why not
 * @param username the authenticated principal's name when accepted with credentials; null for an
 *     anonymous acceptance or a refusal
 * @param roles the principal's roles when accepted; empty otherwise
 * @param reason a short explanation for logs (never a password); may be empty
 * @since 0.2
 */
public record AuthenticationResult(Outcome outcome, String username, Set<String> roles,
    String reason) {

  /** The kinds of decision; the transport maps them to CONNACK return codes. */
  public enum Outcome {
    /** Connect as {@code username} (or anonymously if it is null). */
    ACCEPTED,
    /** Missing, unknown or wrong credentials: CONNACK 0x04 (3.1.1). */
    BAD_CREDENTIALS,
    /** Credentials valid but this client may not connect: CONNACK 0x05 (3.1.1). */
    NOT_AUTHORIZED
  }

  /** Validates and copies the arguments. */
  public AuthenticationResult {
    Objects.requireNonNull(outcome, "outcome");
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    reason = reason == null ? "" : reason;
  }

  /** Accept as an authenticated user with roles. */
  public static AuthenticationResult accepted(String username, Set<String> roles) {
    return new AuthenticationResult(Outcome.ACCEPTED, Objects.requireNonNull(username), roles, "");
  }

  /** Accept without credentials. */
  public static AuthenticationResult anonymous() {
    return new AuthenticationResult(Outcome.ACCEPTED, null, Set.of(), "anonymous");
  }

  /** Refuse: credentials missing or wrong. */
  public static AuthenticationResult badCredentials(String reason) {
    return new AuthenticationResult(Outcome.BAD_CREDENTIALS, null, Set.of(), reason);
  }

  /** Refuse: valid credentials, but not allowed to connect. */
  public static AuthenticationResult notAuthorized(String reason) {
    return new AuthenticationResult(Outcome.NOT_AUTHORIZED, null, Set.of(), reason);
  }

  /** Whether the client may connect. */
  public boolean accepted() {
    return outcome == Outcome.ACCEPTED;
  }
}
