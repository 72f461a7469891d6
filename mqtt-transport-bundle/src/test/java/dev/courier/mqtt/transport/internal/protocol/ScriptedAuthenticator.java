package dev.courier.mqtt.transport.internal.protocol;

import dev.courier.mqtt.transport.spi.auth.AuthExchange;
import dev.courier.mqtt.transport.spi.auth.AuthStep;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A fake {@link EnhancedAuthenticator} offering one method: every exchange answers from one shared
 * script, a step per client message, and records what it was given and whether it was abandoned.
 */
final class ScriptedAuthenticator implements EnhancedAuthenticator {

  /** One call of {@link #begin}. */
  record Begun(String method, ConnectCredentials credentials, String password,
      ClientIdentity reauthenticating) {}

  static final String METHOD = "TEST-METHOD";

  final List<Begun> begun = new ArrayList<>();
  /** The client data each respond got, as text. */
  final List<String> received = new ArrayList<>();
  private final Deque<Supplier<CompletionStage<AuthStep>>> script = new ArrayDeque<>();
  int abandoned;
  /** Thrown by begin when set. */
  RuntimeException beginFailure;

  @Override
  public Set<String> methods() {
    return Set.of(METHOD);
  }

  @Override
  public AuthExchange begin(String method, ConnectCredentials credentials,
      ClientIdentity reauthenticating) {
    if (beginFailure != null) {
      throw beginFailure;
    }
    begun.add(new Begun(method, credentials, credentials.password() == null ? null
        : new String(credentials.password(), StandardCharsets.UTF_8), reauthenticating));
    return new AuthExchange() {
      @Override
      public CompletionStage<AuthStep> respond(byte[] data) {
        received.add(new String(data, StandardCharsets.UTF_8));
        Supplier<CompletionStage<AuthStep>> next = script.poll();
        return next == null ? CompletableFuture.failedFuture(new IllegalStateException("no step"))
            : next.get();
      }

      @Override
      public void abandon() {
        abandoned++;
      }
    };
  }

  /** Next step: a challenge with {@code text}. */
  ScriptedAuthenticator challenge(String text) {
    return then(AuthStep.challenge(utf8(text)));
  }

  /** Next step: success as {@code user} with {@code roles} and final data (null: none). */
  ScriptedAuthenticator succeed(String user, Set<String> roles, String text) {
    return then(AuthStep.success(user, roles, text == null ? null : utf8(text)));
  }

  /** Next step: refusal. */
  ScriptedAuthenticator fail(AuthStep.Failure failure, String reason) {
    return then(AuthStep.failure(failure, reason));
  }

  ScriptedAuthenticator then(AuthStep step) {
    script.add(() -> CompletableFuture.completedFuture(step));
    return this;
  }

  /** Next step: the returned future, completed by the test (or never). */
  CompletableFuture<AuthStep> later() {
    CompletableFuture<AuthStep> step = new CompletableFuture<>();
    script.add(() -> step);
    return step;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
