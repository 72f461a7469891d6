package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.publish;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code maxPublishRate} on a real pipeline: the throttled channel stops auto-read, and the task
 * the engine scheduled through {@code NettyConnectionPort} on the channel's event loop turns it on
 * again, by the real clock (hence Awaitility); the channel stays open throughout.
 */
class PublishRatePipelineTest {

  private static final int RATE = 5;

  private final PipelineHarness harness =
      new PipelineHarness(TransportConfig.defaults().withPublishRate(RATE));

  @AfterEach
  void shutdown() {
    harness.shutdown();
  }

  @Test
  void whenAClientPublishesOverTheRate_thenAutoReadStops_andTheEventLoopTurnsItOnAgain() {
    EmbeddedChannel channel = harness.connected("fast");
    byte[][] burst = new byte[RATE + 1][];
    for (int i = 0; i < burst.length; i++) {
      burst[i] = publish(0, utf8("t"), 0, utf8("x"));
    }

    harness.feed(channel, burst);

    assertThat(channel.config().isAutoRead()).as("paused by the rate").isFalse();
    // 2 tokens at 5/s: about 400 ms.
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
      channel.runScheduledPendingTasks();
      return channel.config().isAutoRead();
    });
    assertThat(channel.isActive()).isTrue();
    assertThat(PipelineHarness.written(channel)).as("QoS 0: nothing to answer").isEmpty();
  }
}
