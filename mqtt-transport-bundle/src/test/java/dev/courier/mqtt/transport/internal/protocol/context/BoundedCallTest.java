package dev.courier.mqtt.transport.internal.protocol.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** A plug-in call never throws at its caller and never keeps it waiting beyond the bound. */
class BoundedCallTest {

  @Test
  void whenTheCallAnswers_thenTheAnswerPassesThrough() {
    assertThat(BoundedCall.of(() -> CompletableFuture.completedFuture("yes"), 1).join())
        .isEqualTo("yes");
  }

  @Test
  void whenTheCallThrows_thenTheFutureFails() {
    CompletableFuture<String> result = BoundedCall.of(() -> {
      throw new IllegalArgumentException("plug-in bug");
    }, 1);
    assertThat(result).isCompletedExceptionally();
  }

  @Test
  void whenTheCallReturnsNull_thenTheFutureFails() {
    CompletableFuture<String> result = BoundedCall.of(() -> null, 1);
    assertThat(result).isCompletedExceptionally();
  }

  @Test
  void whenTheStageFailsLater_thenTheFutureFailsWithItsCause() {
    CompletableFuture<String> stage = new CompletableFuture<>();
    CompletableFuture<String> result = BoundedCall.of(() -> stage, 5);
    stage.completeExceptionally(new IllegalStateException("realm down"));
    assertThat(result).isCompletedExceptionally();
    assertThat(result.handle((value, error) -> error).join())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void whenTheStageNeverCompletes_thenTheFutureTimesOut() {
    CompletionStage<String> never = new CompletableFuture<>();
    CompletableFuture<String> result = BoundedCall.of(() -> never, 1);
    await().atMost(Duration.ofSeconds(5)).until(result::isDone);
    assertThat(result.handle((value, error) -> error).join())
        .isInstanceOf(TimeoutException.class);
  }
}
