package dev.courier.mqtt.auth.internal.scram;

import dev.courier.mqtt.auth.internal.login.BoundedExecutor;
import dev.courier.mqtt.auth.internal.login.DelayScheduler;
import dev.courier.mqtt.auth.internal.login.FailedLoginTracker;
import dev.courier.mqtt.transport.spi.auth.AuthExchange;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as the transport's enhanced authentication method {@value
 * #METHOD}, against the users of a {@link ScramStore}. Each exchange ({@link ScramExchange}) does
 * its work on the bounded login executor, never on the event loop; a refused proof is answered
 * after the same growing delay as a failed JAAS login. One instance per configuration.
 */
public final class ScramMechanism implements EnhancedAuthenticator {

  /** The MQTT Authentication Method name. */
  public static final String METHOD = "SCRAM-SHA-256";

  /**
   * The settings of the auth configuration that apply.
   *
   * @param requiredRole a role the user must hold, or empty
   * @param failedDelayMillis the delay before the first refusal of a client id or address
   * @param maxFailedDelayMillis its cap
   */
  public record Settings(String requiredRole, long failedDelayMillis, long maxFailedDelayMillis) {}

  private static final Logger LOG = LoggerFactory.getLogger(ScramMechanism.class);

  final ScramStore store;
  final Settings settings;
  private final BoundedExecutor executor;
  private final DelayScheduler scheduler;
  private final FailedLoginTracker tracker;
  private final byte[] mockKey;
  private final Supplier<String> serverNonces;

  /**
   * Creates the mechanism.
   *
   * @param mockKey the server's secret from which the salts of unknown users are derived; stable
   *     across restarts, so that a salt does not tell whether a user exists
   * @param serverNonces the server's part of each nonce (printable, no comma)
   */
  public ScramMechanism(ScramStore store, Settings settings, BoundedExecutor executor,
      DelayScheduler scheduler, FailedLoginTracker tracker, byte[] mockKey,
      Supplier<String> serverNonces) {
    this.store = store;
    this.settings = settings;
    this.executor = executor;
    this.scheduler = scheduler;
    this.tracker = tracker;
    this.mockKey = mockKey.clone();
    this.serverNonces = serverNonces;
  }

  /** Server nonce parts of 18 random bytes in Base64 (24 characters). */
  public static Supplier<String> randomNonces() {
    SecureRandom random = new SecureRandom();
    return () -> {
      byte[] bytes = new byte[18];
      random.nextBytes(bytes);
      return Base64.getEncoder().encodeToString(bytes);
    };
  }

  @Override
  public Set<String> methods() {
    return Set.of(METHOD);
  }

  @Override
  public AuthExchange begin(String method, ConnectCredentials credentials,
      ClientIdentity reauthenticating) {
    return new ScramExchange(this, credentials);
  }

  /** How many users the credentials file holds now. */
  public int users() {
    return store.size();
  }

  String serverNonce() {
    return serverNonces.get();
  }

  /**
   * The secret an unknown user seems to have: a salt derived from its name and the mock key, the
   * default iteration count, and keys no proof matches.
   */
  ScramSecret mockSecret(String user) {
    byte[] digest = ScramCrypto.hmac(mockKey, ("salt:" + user).getBytes(StandardCharsets.UTF_8));
    byte[] keys = ScramCrypto.hmac(mockKey, ("keys:" + user).getBytes(StandardCharsets.UTF_8));
    return new ScramSecret(ScramSecret.DEFAULT_ITERATIONS, Arrays.copyOf(digest, 16), keys, keys);
  }

  /** Runs {@code work} on the login executor; refuses (0x87) if it is full. */
  CompletionStage<AuthStep> offload(ConnectCredentials client,
      Function<CompletableFuture<AuthStep>, AuthStep> work) {
    CompletableFuture<AuthStep> result = new CompletableFuture<>();
    boolean admitted = executor.tryExecute(() -> {
      try {
        AuthStep step = work.apply(result);
        if (step != null) {
          result.complete(step);
        }
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    if (!admitted) {
      LOG.warn("MQTT SCRAM login of client '{}' from {} refused: the login threads and queue are"
          + " full", client.clientId(), client.remoteAddress());
      result.complete(AuthStep.failure(AuthStep.Failure.NOT_AUTHORIZED, "login queue full"));
    }
    return result;
  }

  /** A refused proof: recorded for the backoff, answered after its delay. */
  void refuseLater(ConnectCredentials client, String user, CompletableFuture<AuthStep> result) {
    long delay = tracker.recordFailure(client.clientId(), client.remoteAddress(),
        settings.failedDelayMillis(), settings.maxFailedDelayMillis());
    LOG.warn("MQTT SCRAM login failed for client '{}' user '{}' from {}; answering in {} ms",
        client.clientId(), user, client.remoteAddress(), delay);
    AuthStep refusal = AuthStep.failure(AuthStep.Failure.BAD_CREDENTIALS,
        "SCRAM authentication failed");
    if (delay <= 0) {
      result.complete(refusal);
    } else {
      scheduler.schedule(() -> result.complete(refusal), delay);
    }
  }

  void succeeded(ConnectCredentials client) {
    tracker.recordSuccess(client.clientId(), client.remoteAddress());
  }
}
