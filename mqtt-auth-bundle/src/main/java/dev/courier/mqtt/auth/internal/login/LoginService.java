package dev.courier.mqtt.auth.internal.login;

/**
 * Checks a user name and password against a realm. The real one is {@link JaasLoginService}; tests
 * pass a fake. Blocking: called on a login thread, never on an event loop.
 */
@FunctionalInterface
public interface LoginService {

  /**
   * Logs in.
   *
   * @param realm the realm (JAAS application name)
   * @param username the user name, not empty
   * @param password the password; the caller clears it afterwards, implementations must not keep it
   * @return the outcome; implementations do not throw
   */
  LoginResult login(String realm, String username, char[] password);
}
