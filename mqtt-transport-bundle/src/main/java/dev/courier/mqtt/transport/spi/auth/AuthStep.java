package dev.courier.mqtt.transport.spi.auth;

import java.util.Objects;
import java.util.Set;

/**
 * One answer of an {@link AuthExchange}: send the client a challenge and wait for its answer, or
 * accept it as a user with roles, or refuse it. Immutable. {@link #toString()} leaves the data out.
 *
 * @since 0.3
 */
public final class AuthStep {

  /** What the step decides. */
  public enum Kind {
    /** Send the client an AUTH packet 0x18 (Continue authentication) with {@link #data()}. */
    CONTINUE,
    /**
     * Authenticated: CONNACK 0x00 (or, on re-authentication, AUTH 0x00) carrying {@link #data()}
     * if there is any (e.g. a SCRAM server signature).
     */
    SUCCESS,
    /** Refused with {@link #failure()}: CONNACK with its code, or DISCONNECT after CONNACK. */
    FAILURE
  }

  /** Why the client is refused; each maps to an MQTT 5.0 reason code. */
  public enum Failure {
    /** 0x86 Bad User Name or Password (sent as 0x87 on a DISCONNECT, which has no 0x86). */
    BAD_CREDENTIALS,
    /** 0x87 Not authorized. */
    NOT_AUTHORIZED,
    /** 0x8C Bad authentication method: e.g. the data does not follow the method. */
    BAD_AUTHENTICATION_METHOD
  }

  private static final byte[] NONE = new byte[0];

  private final Kind kind;
  private final byte[] data;
  private final String username;
  private final Set<String> roles;
  private final Failure failure;
  private final String reason;

  private AuthStep(Kind kind, byte[] data, String username, Set<String> roles, Failure failure,
      String reason) {
    this.kind = kind;
    this.data = data;
    this.username = username;
    this.roles = roles;
    this.failure = failure;
    this.reason = reason;
  }

  /**
   * Challenge the client.
   *
   * @param data the server's Authentication Data for the client (copied); may be empty
   */
  public static AuthStep challenge(byte[] data) {
    return new AuthStep(Kind.CONTINUE, Objects.requireNonNull(data, "data").clone(), null,
        Set.of(), null, "");
  }

  /**
   * Accept the client.
   *
   * @param username who the client is (used for topic authorization and logs)
   * @param roles the user's roles, for topic authorization
   * @param data final Authentication Data for the client (copied), or null for none
   */
  public static AuthStep success(String username, Set<String> roles, byte[] data) {
    return new AuthStep(Kind.SUCCESS, data == null ? null : data.clone(),
        Objects.requireNonNull(username, "username"), roles == null ? Set.of() : Set.copyOf(roles),
        null, "");
  }

  /**
   * Refuse the client.
   *
   * @param failure the kind of refusal
   * @param reason a short explanation for logs and (when the client asked for problem
   *     information) the client; never a secret; may be null
   */
  public static AuthStep failure(Failure failure, String reason) {
    return new AuthStep(Kind.FAILURE, null, null, Set.of(),
        Objects.requireNonNull(failure, "failure"), reason == null ? "" : reason);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The Authentication Data to send: a copy; empty for none on {@link Kind#CONTINUE}, null for
   * none on {@link Kind#SUCCESS} and always null on {@link Kind#FAILURE}.
   */
  public byte[] data() {
    return data == null ? null : data.length == 0 ? NONE : data.clone();
  }

  /** The authenticated user on {@link Kind#SUCCESS}, else null. */
  public String username() {
    return username;
  }

  /** The user's roles on {@link Kind#SUCCESS}, else empty. */
  public Set<String> roles() {
    return roles;
  }

  /** Why the client is refused on {@link Kind#FAILURE}, else null. */
  public Failure failure() {
    return failure;
  }

  /** The explanation of a failure; empty otherwise. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case CONTINUE -> "AuthStep[CONTINUE, " + data.length + " bytes]";
      case SUCCESS -> "AuthStep[SUCCESS, user=" + username + ", roles=" + roles + "]";
      case FAILURE -> "AuthStep[FAILURE " + failure + ": " + reason + "]";
    };
  }
}
