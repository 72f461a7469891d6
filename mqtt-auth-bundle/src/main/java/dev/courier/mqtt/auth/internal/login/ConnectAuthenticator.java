package dev.courier.mqtt.auth.internal.login;

import dev.courier.mqtt.auth.internal.config.AuthConfig;
import dev.courier.mqtt.auth.internal.config.AuthConfig.AuthenticationMode;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CONNECT decision table, given one configuration:
 *
 * <table>
 *   <caption>decisions</caption>
 *   <tr><th>credentials</th><th>OPTIONAL</th><th>REQUIRED</th></tr>
 *   <tr><td>none</td><td>anonymous ACCEPTED</td><td>BAD_CREDENTIALS (0x04)</td></tr>
 *   <tr><td>user name without (or with empty) password, or password without user name</td>
 *       <td colspan="2">BAD_CREDENTIALS, delayed</td></tr>
 *   <tr><td>realm refuses them</td><td colspan="2">BAD_CREDENTIALS, delayed</td></tr>
 *   <tr><td>realm accepts, {@code requiredRole} set and not held</td>
 *       <td colspan="2">NOT_AUTHORIZED (0x05)</td></tr>
 *   <tr><td>realm accepts</td><td colspan="2">ACCEPTED with the user's roles</td></tr>
 *   <tr><td>realm unavailable, login queue full, login timed out</td>
 *       <td colspan="2">NOT_AUTHORIZED (fail closed; not the client's fault, so no delay)</td></tr>
 * </table>
 *
 * <p>A {@code requiredRole} applies to users who log in; anonymous clients (OPTIONAL mode) are
 * governed by the authorization rules instead.
 *
 * <p>Threading: {@link #authenticate} returns at once (it is called on a transport event loop). The
 * JAAS login runs on the {@link BoundedExecutor}; a failed login's answer is released by the {@link
 * DelayScheduler} after the backoff delay ({@link FailedLoginTracker}), so no thread sleeps. The
 * returned stage may therefore complete on a login or a scheduler thread.
 */
public final class ConnectAuthenticator {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectAuthenticator.class);

  private final LoginService loginService;
  private final BoundedExecutor executor;
  private final DelayScheduler scheduler;
  private final FailedLoginTracker tracker;
  private final AtomicLong refusedForLoad = new AtomicLong();

  /**
   * Creates the authenticator.
   *
   * @param loginService checks credentials (JAAS in production)
   * @param executor runs logins, refusing when full
   * @param scheduler releases delayed answers and enforces the login timeout
   * @param tracker counts failures for the backoff
   */
  public ConnectAuthenticator(LoginService loginService, BoundedExecutor executor,
      DelayScheduler scheduler, FailedLoginTracker tracker) {
    this.loginService = loginService;
    this.executor = executor;
    this.scheduler = scheduler;
    this.tracker = tracker;
  }

  /**
   * Decides about a CONNECT under one configuration.
   *
   * @param config the configuration current when the CONNECT arrived
   * @param credentials what the client presented
   * @return the decision; never completes exceptionally
   */
  public CompletionStage<AuthenticationResult> authenticate(AuthConfig config,
      ConnectCredentials credentials) {
    if (!credentials.hasCredentials()) {
      if (config.authentication() == AuthenticationMode.REQUIRED) {
        LOG.info("MQTT client '{}' from {} refused: authentication is required and it sent no"
            + " credentials", credentials.clientId(), credentials.remoteAddress());
        return CompletableFuture.completedFuture(
            AuthenticationResult.badCredentials("no credentials"));
      }
      return CompletableFuture.completedFuture(AuthenticationResult.anonymous());
    }
    String username = credentials.username();
    byte[] password = credentials.password();
    if (username == null || username.isEmpty()) {
      return failed(config, credentials, "a password without a user name");
    }
    if (password == null || password.length == 0) {
      return failed(config, credentials, "a user name without a password");
    }
    CompletableFuture<AuthenticationResult> result = new CompletableFuture<>();
    char[] secret = decode(password);
    DelayScheduler.Cancellable timeout = scheduler.schedule(() -> {
      if (result.complete(AuthenticationResult.notAuthorized("login timed out"))) {
        LOG.warn("MQTT login of client '{}' user '{}' from {} did not finish within {} s in realm"
            + " '{}'; refused", credentials.clientId(), username, credentials.remoteAddress(),
            config.loginTimeoutSeconds(), config.realm());
      }
    }, config.loginTimeoutSeconds() * 1000L);
    boolean admitted = executor.tryExecute(() -> {
      try {
        if (!result.isDone()) {
          LoginResult login = loginService.login(config.realm(), username, secret);
          decide(config, credentials, login, result);
        }
      } catch (RuntimeException e) {
        result.complete(AuthenticationResult.notAuthorized("login failed unexpectedly"));
        LOG.error("MQTT login of client '{}' user '{}' failed unexpectedly",
            credentials.clientId(), username, e);
      } finally {
        Arrays.fill(secret, '\0');
        timeout.cancel();
      }
    });
    if (!admitted) {
      Arrays.fill(secret, '\0');
      timeout.cancel();
      long refused = refusedForLoad.incrementAndGet();
      LOG.warn("MQTT client '{}' user '{}' from {} refused: {} logins are already running or"
          + " waiting (maxLoginThreads + maxPendingLogins); {} refused so far",
          credentials.clientId(), username, credentials.remoteAddress(),
          config.maxLoginThreads() + config.maxPendingLogins(), refused);
      result.complete(AuthenticationResult.notAuthorized("login queue full"));
    }
    return result;
  }

  /** CONNECTs refused because the login pool and queue were full. */
  public long refusedForLoad() {
    return refusedForLoad.get();
  }

  private void decide(AuthConfig config, ConnectCredentials credentials, LoginResult login,
      CompletableFuture<AuthenticationResult> result) {
    String username = credentials.username();
    switch (login.outcome()) {
      case SUCCESS -> {
        tracker.recordSuccess(credentials.clientId(), credentials.remoteAddress());
        if (!config.requiredRole().isEmpty() && !login.roles().contains(config.requiredRole())) {
          if (result.complete(AuthenticationResult.notAuthorized(
              "lacks role " + config.requiredRole()))) {
            LOG.info("MQTT client '{}' user '{}' from {} refused: not in required role '{}'",
                credentials.clientId(), username, credentials.remoteAddress(),
                config.requiredRole());
          }
          return;
        }
        result.complete(AuthenticationResult.accepted(username, login.roles()));
      }
      case FAILED -> {
        CompletionStage<AuthenticationResult> delayed = failed(config, credentials,
            login.reason());
        delayed.thenAccept(result::complete);
      }
      case ERROR -> {
        if (result.complete(AuthenticationResult.notAuthorized("realm unavailable"))) {
          LOG.error("MQTT client '{}' user '{}' from {} refused: {}", credentials.clientId(),
              username, credentials.remoteAddress(), login.reason());
        }
      }
    }
  }

  /** Records a failed login and answers BAD_CREDENTIALS after the backoff delay. */
  private CompletionStage<AuthenticationResult> failed(AuthConfig config,
      ConnectCredentials credentials, String reason) {
    long delay = tracker.recordFailure(credentials.clientId(), credentials.remoteAddress(),
        config.failedLoginDelayMillis(), config.maxFailedLoginDelayMillis());
    LOG.warn("MQTT login failed for client '{}' user '{}' from {} in realm '{}': {};"
        + " answering in {} ms", credentials.clientId(), credentials.username(),
        credentials.remoteAddress(), config.realm(), reason, delay);
    AuthenticationResult refusal = AuthenticationResult.badCredentials("login failed");
    if (delay <= 0) {
      return CompletableFuture.completedFuture(refusal);
    }
    CompletableFuture<AuthenticationResult> answer = new CompletableFuture<>();
    scheduler.schedule(() -> answer.complete(refusal), delay);
    return answer;
  }

  /** MQTT passwords are binary; JAAS wants characters. Undecodable bytes become U+FFFD. */
  private static char[] decode(byte[] password) {
    CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(password));
    char[] secret = new char[chars.remaining()];
    chars.get(secret);
    Arrays.fill(chars.array(), '\0');
    return secret;
  }
}
