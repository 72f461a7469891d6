package dev.courier.mqtt.auth.internal.login;

import java.util.Set;

/**
 * What a {@link LoginService} found.
 *
 * @param outcome the kind of result
 * @param roles the user's roles (and groups) when it succeeded; empty otherwise
 * @param reason why it failed, for logs (never the password); empty on success
 */
public record LoginResult(Outcome outcome, Set<String> roles, String reason) {

  /** The kinds of result. */
  public enum Outcome {
    /** The realm accepted the credentials. */
    SUCCESS,
    /** The realm refused the credentials (unknown user, wrong password, locked account). */
    FAILED,
    /** The realm could not be asked (not configured, broken): not the client's fault. */
    ERROR
  }

  /** Copies the roles. */
  public LoginResult {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
    reason = reason == null ? "" : reason;
  }

  /** A successful login with these roles. */
  public static LoginResult success(Set<String> roles) {
    return new LoginResult(Outcome.SUCCESS, roles, "");
  }

  /** Refused credentials. */
  public static LoginResult failed(String reason) {
    return new LoginResult(Outcome.FAILED, Set.of(), reason);
  }

  /** The realm was unusable. */
  public static LoginResult error(String reason) {
    return new LoginResult(Outcome.ERROR, Set.of(), reason);
  }
}
