package dev.courier.mqtt.auth.internal.login;

import java.security.Principal;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * Logs in through the standard {@link LoginContext} with the realm as application name. In Karaf,
 * the {@code org.apache.karaf.jaas.config} bundle installs a global JAAS {@code Configuration} that
 * resolves realm names ({@code karaf}, or any {@code JaasRealm} service) to Karaf's {@code
 * ProxyLoginModule}, which lives in {@code lib/boot} and is boot-delegated to every bundle; roles
 * come back as Karaf {@code RolePrincipal}s (and {@code GroupPrincipal}s for groups), matched here by
 * class name so that this bundle needs no Karaf import.
 *
 * <p>{@code LoginContext} loads login module classes through the thread context class loader, which
 * on our login threads is whatever created them; it is set to this bundle's class loader for the
 * call (boot delegation makes Karaf's proxy module visible through it).
 */
public final class JaasLoginService implements LoginService {

  /** Karaf's role principal class. */
  static final String ROLE_PRINCIPAL = "org.apache.karaf.jaas.boot.principal.RolePrincipal";
  /** Karaf's group principal class. */
  static final String GROUP_PRINCIPAL = "org.apache.karaf.jaas.boot.principal.GroupPrincipal";

  @Override
  public LoginResult login(String realm, String username, char[] password) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(JaasLoginService.class.getClassLoader());
    try {
      Subject subject = new Subject();
      LoginContext context;
      try {
        context = new LoginContext(realm, subject, callbacks -> answer(callbacks, username,
            password));
      } catch (LoginException | SecurityException e) {
        // No such realm (no "LoginModules configured"), or no JAAS configuration at all.
        return LoginResult.error("realm '" + realm + "' is not available: " + e.getMessage());
      }
      try {
        context.login();
      } catch (LoginException e) {
        return LoginResult.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      Set<String> roles = rolesOf(subject.getPrincipals());
      try {
        context.logout(); // nothing is kept: the transport holds the roles, not the subject
      } catch (LoginException ignored) {
        // A module that cannot log out leaves nothing we hold.
      }
      return LoginResult.success(roles);
    } catch (RuntimeException e) {
      return LoginResult.error("login module failed: " + e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static void answer(Callback[] callbacks, String username, char[] password)
      throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof NameCallback name) {
        name.setName(username);
      } else if (callback instanceof PasswordCallback secret) {
        secret.setPassword(password); // copies
      } else {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  /**
   * The role and group names among a subject's principals.
   *
   * @param principals what the login modules added
   * @return the names of Karaf role and group principals
   */
  static Set<String> rolesOf(Set<Principal> principals) {
    Set<String> roles = new LinkedHashSet<>();
    for (Principal principal : principals) {
      String type = principal.getClass().getName();
      if (type.equals(ROLE_PRINCIPAL) || type.equals(GROUP_PRINCIPAL)) {
        roles.add(principal.getName());
      }
    }
    return roles;
  }
}
