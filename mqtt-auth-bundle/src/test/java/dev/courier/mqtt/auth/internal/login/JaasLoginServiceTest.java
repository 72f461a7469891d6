package dev.courier.mqtt.auth.internal.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.auth.internal.login.LoginResult.Outcome;
import java.security.Principal;
import java.util.Map;
import java.util.Set;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import org.apache.karaf.jaas.boot.principal.GroupPrincipal;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JaasLoginServiceTest {

  /** A login module accepting alice/secret with Karaf principals, as Karaf's realms add them. */
  public static final class TestLoginModule implements LoginModule {
    private Subject subject;
    private CallbackHandler handler;
    private boolean ok;

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState,
        Map<String, ?> options) {
      this.subject = subject;
      this.handler = handler;
    }

    @Override
    public boolean login() throws LoginException {
      NameCallback name = new NameCallback("user");
      PasswordCallback password = new PasswordCallback("password", false);
      try {
        handler.handle(new Callback[] {name, password});
      } catch (Exception e) {
        throw new LoginException(e.toString());
      }
      ok = "alice".equals(name.getName())
          && "secret".equals(new String(password.getPassword()));
      if (!ok) {
        throw new FailedLoginException("Password for " + name.getName() + " does not match");
      }
      return true;
    }

    @Override
    public boolean commit() {
      subject.getPrincipals().add(new UserPrincipal("alice"));
      subject.getPrincipals().add(new RolePrincipal("mqtt"));
      subject.getPrincipals().add(new GroupPrincipal("admingroup"));
      return ok;
    }

    @Override
    public boolean abort() {
      return true;
    }

    @Override
    public boolean logout() {
      subject.getPrincipals().clear();
      return true;
    }
  }

  @BeforeEach
  void installRealm() {
    Configuration.setConfiguration(new Configuration() {
      @Override
      public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
        if (!name.equals("testrealm")) {
          return null;
        }
        return new AppConfigurationEntry[] {new AppConfigurationEntry(
            TestLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED, Map.of())};
      }
    });
  }

  @AfterEach
  void removeRealm() {
    Configuration.setConfiguration(null);
  }

  private final JaasLoginService service = new JaasLoginService();

  @Test
  void whenRealmAcceptsCredentials_thenSuccessWithRoleAndGroupNames() {
    LoginResult result = service.login("testrealm", "alice", "secret".toCharArray());

    assertThat(result.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(result.roles()).containsExactlyInAnyOrder("mqtt", "admingroup");
  }

  @Test
  void whenWrongPassword_thenFailedWithoutThePasswordInTheReason() {
    LoginResult result = service.login("testrealm", "alice", "hunter2".toCharArray());

    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.reason()).contains("FailedLoginException").doesNotContain("hunter2");
  }

  @Test
  void whenRealmUnknown_thenError() {
    LoginResult result = service.login("nosuchrealm", "alice", "secret".toCharArray());

    assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(result.reason()).contains("nosuchrealm");
  }

  @Test
  void whenLoginRuns_thenContextClassLoaderRestored() {
    ClassLoader before = Thread.currentThread().getContextClassLoader();

    service.login("testrealm", "alice", "secret".toCharArray());

    assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
  }

  @Test
  void whenPrincipalsAreNotKarafRolesOrGroups_thenIgnored() {
    Principal other = () -> "someone";

    assertThat(JaasLoginService.rolesOf(Set.of(other, new UserPrincipal("alice"),
        new RolePrincipal("viewer")))).containsExactly("viewer");
  }
}
