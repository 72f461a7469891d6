package dev.courier.mqtt.auth.internal.login;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.auth.internal.config.AuthConfig;
import dev.courier.mqtt.auth.internal.config.AuthConfig.AuthenticationMode;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult.Outcome;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectAuthenticatorTest {

  private final ManualScheduler scheduler = new ManualScheduler();
  private final ManualExecutor executor = new ManualExecutor(2);
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final FailedLoginTracker tracker = new FailedLoginTracker(clock::get, 1000);
  private final List<String> attempts = new ArrayList<>();
  private final List<char[]> passwordsSeen = new ArrayList<>();

  /** Fake realm "karaf": alice/secret (roles users, mqtt), bob/builder (role users). */
  private LoginResult fakeLogin(String realm, String username, char[] password) {
    attempts.add(realm + ":" + username);
    passwordsSeen.add(password);
    if (!realm.equals("karaf")) {
      return LoginResult.error("no realm " + realm);
    }
    String given = new String(password);
    if (username.equals("alice") && given.equals("secret")) {
      return LoginResult.success(Set.of("users", "mqtt"));
    }
    if (username.equals("bob") && given.equals("builder")) {
      return LoginResult.success(Set.of("users"));
    }
    return LoginResult.failed("FailedLoginException: Password for " + username + " does not match");
  }

  private final ConnectAuthenticator authenticator =
      new ConnectAuthenticator(this::fakeLogin, executor, scheduler, tracker);

  private static AuthConfig config(AuthenticationMode mode, String requiredRole) {
    AuthConfig d = AuthConfig.defaults();
    return new AuthConfig(mode, d.realm(), requiredRole, d.authorization(), d.adminRole(),
        d.rules(), d.subscribeDenyMode(), d.loginTimeoutSeconds(), d.maxLoginThreads(),
        d.maxPendingLogins(), d.failedLoginDelayMillis(), d.maxFailedLoginDelayMillis());
  }

  private static final AuthConfig OPTIONAL = config(AuthenticationMode.OPTIONAL, "");
  private static final AuthConfig REQUIRED = config(AuthenticationMode.REQUIRED, "");

  private static ConnectCredentials creds(String user, String password) {
    return new ConnectCredentials("client-1", user,
        password == null ? null : password.getBytes(StandardCharsets.UTF_8), List.of(),
        "192.0.2.7:50000");
  }

  private static AuthenticationResult now(CompletionStage<AuthenticationResult> stage) {
    CompletableFuture<AuthenticationResult> future = stage.toCompletableFuture();
    assertThat(future).isDone();
    return future.join();
  }

  @Test
  void whenRequiredAndNoCredentials_thenBadCredentialsAtOnce() {
    AuthenticationResult result = now(authenticator.authenticate(REQUIRED, creds(null, null)));

    assertThat(result.outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    assertThat(attempts).isEmpty();
  }

  @Test
  void whenOptionalAndNoCredentials_thenAnonymousAccepted() {
    AuthenticationResult result = now(authenticator.authenticate(OPTIONAL, creds(null, null)));

    assertThat(result.accepted()).isTrue();
    assertThat(result.username()).isNull();
    assertThat(attempts).isEmpty();
  }

  @Test
  void whenValidCredentialsInEitherMode_thenAcceptedWithRoles() {
    for (AuthConfig config : List.of(OPTIONAL, REQUIRED)) {
      CompletionStage<AuthenticationResult> stage =
          authenticator.authenticate(config, creds("alice", "secret"));
      assertThat(stage.toCompletableFuture()).isNotDone();

      executor.runAll();

      AuthenticationResult result = now(stage);
      assertThat(result.accepted()).isTrue();
      assertThat(result.username()).isEqualTo("alice");
      assertThat(result.roles()).containsExactlyInAnyOrder("users", "mqtt");
    }
    assertThat(attempts).containsExactly("karaf:alice", "karaf:alice");
    assertThat(scheduler.pending()).isZero(); // timeouts cancelled
  }

  @Test
  void whenWrongPasswordInEitherMode_thenBadCredentialsAfterBackoff() {
    for (AuthConfig config : List.of(OPTIONAL, REQUIRED)) {
      tracker.recordSuccess("client-1", "192.0.2.7:50000");
      CompletionStage<AuthenticationResult> stage =
          authenticator.authenticate(config, creds("alice", "wrong"));
      executor.runAll();
      assertThat(stage.toCompletableFuture()).isNotDone();

      scheduler.advance(199);
      assertThat(stage.toCompletableFuture()).isNotDone();
      scheduler.advance(1);

      assertThat(now(stage).outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    }
  }

  @Test
  void whenRepeatedFailures_thenEachAnswerWaitsLonger() {
    long[] expected = {200, 400, 800, 1600, 3200, 5000, 5000};
    for (long delay : expected) {
      CompletionStage<AuthenticationResult> stage =
          authenticator.authenticate(OPTIONAL, creds("alice", "wrong"));
      executor.runAll();
      scheduler.advance(delay - 1);
      assertThat(stage.toCompletableFuture()).as("after %d ms", delay - 1).isNotDone();
      scheduler.advance(1);
      assertThat(now(stage).outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    }
  }

  @Test
  void whenSuccessAfterFailures_thenBackoffResets() {
    for (int i = 0; i < 3; i++) {
      authenticator.authenticate(OPTIONAL, creds("alice", "wrong"));
      executor.runAll();
      scheduler.advance(10_000);
    }
    authenticator.authenticate(OPTIONAL, creds("alice", "secret"));
    executor.runAll();

    CompletionStage<AuthenticationResult> stage =
        authenticator.authenticate(OPTIONAL, creds("alice", "wrong"));
    executor.runAll();
    scheduler.advance(200);
    assertThat(now(stage).outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
  }

  @Test
  void whenUserNameWithoutPassword_thenBadCredentialsWithoutLogin() {
    for (String password : new String[] {null, ""}) {
      CompletionStage<AuthenticationResult> stage =
          authenticator.authenticate(OPTIONAL, creds("alice", password));
      scheduler.advance(10_000);
      assertThat(now(stage).outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    }
    assertThat(attempts).isEmpty();
  }

  @Test
  void whenPasswordWithoutUserName_thenBadCredentialsWithoutLogin() {
    CompletionStage<AuthenticationResult> stage =
        authenticator.authenticate(OPTIONAL, creds(null, "secret"));
    scheduler.advance(10_000);

    assertThat(now(stage).outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
    assertThat(attempts).isEmpty();
  }

  @Test
  void whenRequiredRoleMissing_thenNotAuthorized() {
    AuthConfig needsMqtt = config(AuthenticationMode.OPTIONAL, "mqtt");

    CompletionStage<AuthenticationResult> bob =
        authenticator.authenticate(needsMqtt, creds("bob", "builder"));
    CompletionStage<AuthenticationResult> alice =
        authenticator.authenticate(needsMqtt, creds("alice", "secret"));
    executor.runAll();

    assertThat(now(bob).outcome()).isEqualTo(Outcome.NOT_AUTHORIZED);
    assertThat(now(alice).accepted()).isTrue();
  }

  @Test
  void whenRequiredRoleSetAndAnonymousInOptionalMode_thenAccepted() {
    AuthConfig needsMqtt = config(AuthenticationMode.OPTIONAL, "mqtt");

    assertThat(now(authenticator.authenticate(needsMqtt, creds(null, null))).accepted())
        .isTrue();
  }

  @Test
  void whenLoginQueueFull_thenNotAuthorizedAtOnceAndCounted() {
    authenticator.authenticate(OPTIONAL, creds("alice", "secret"));
    authenticator.authenticate(OPTIONAL, creds("alice", "secret"));

    AuthenticationResult third = now(authenticator.authenticate(OPTIONAL,
        creds("alice", "secret")));

    assertThat(third.outcome()).isEqualTo(Outcome.NOT_AUTHORIZED);
    assertThat(authenticator.refusedForLoad()).isEqualTo(1);
    assertThat(executor.queued()).isEqualTo(2);
  }

  @Test
  void whenLoginDoesNotFinishInTime_thenNotAuthorizedAndLoginSkipped() {
    CompletionStage<AuthenticationResult> stage =
        authenticator.authenticate(OPTIONAL, creds("alice", "secret"));

    scheduler.advance(OPTIONAL.loginTimeoutSeconds() * 1000L);

    assertThat(now(stage).outcome()).isEqualTo(Outcome.NOT_AUTHORIZED);
    executor.runAll();
    assertThat(attempts).isEmpty();
  }

  @Test
  void whenRealmUnavailable_thenNotAuthorizedWithoutBackoff() {
    AuthConfig d = OPTIONAL;
    AuthConfig missingRealm = new AuthConfig(d.authentication(), "nosuch", "",
        d.authorization(), d.adminRole(), d.rules(), d.subscribeDenyMode(),
        d.loginTimeoutSeconds(), d.maxLoginThreads(), d.maxPendingLogins(),
        d.failedLoginDelayMillis(), d.maxFailedLoginDelayMillis());

    CompletionStage<AuthenticationResult> stage =
        authenticator.authenticate(missingRealm, creds("alice", "secret"));
    executor.runAll();

    assertThat(now(stage).outcome()).isEqualTo(Outcome.NOT_AUTHORIZED);
    assertThat(tracker.size()).isZero();
  }

  @Test
  void whenLoginServiceThrows_thenNotAuthorized() {
    ConnectAuthenticator broken = new ConnectAuthenticator((realm, user, password) -> {
      throw new IllegalStateException("boom");
    }, executor, scheduler, tracker);

    CompletionStage<AuthenticationResult> stage =
        broken.authenticate(OPTIONAL, creds("alice", "secret"));
    executor.runAll();

    assertThat(now(stage).outcome()).isEqualTo(Outcome.NOT_AUTHORIZED);
  }

  @Test
  void whenLoginDone_thenPasswordCharsCleared() {
    authenticator.authenticate(OPTIONAL, creds("alice", "secret"));
    executor.runAll();

    assertThat(passwordsSeen).singleElement()
        .satisfies(chars -> assertThat(new String(chars)).isEqualTo("\0\0\0\0\0\0"));
  }
}
