package dev.courier.mqtt.transport.internal.protocol.context;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A call into a plug-in or the host (authenticator, authorizer) that can neither throw at its caller
 * nor keep it waiting: an exception, a null stage, a failed stage and no answer within the timeout
 * all become a failed future, which the flows treat as a refusal. The returned future may complete on
 * any thread; callers hand the result back to their event loop.
 */
public final class BoundedCall {

  private BoundedCall() {}

  /**
   * Makes the call now and bounds its answer.
   *
   * @param call the plug-in call
   * @param timeoutSeconds how long its stage may take before the future fails with a timeout
   * @return completes with the answer, or exceptionally (never throws)
   */
  public static <T> CompletableFuture<T> of(Supplier<? extends CompletionStage<T>> call,
      int timeoutSeconds) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      CompletionStage<T> stage = call.get();
      if (stage == null) {
        result.completeExceptionally(new IllegalStateException("no decision"));
      } else {
        stage.whenComplete((value, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(value);
          }
        });
      }
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    if (!result.isDone()) {
      result.orTimeout(timeoutSeconds, TimeUnit.SECONDS);
    }
    return result;
  }
}
