package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.publish;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code maxPublishRate} on a real pipeline: the throttled channel stops auto-read, and the task
 * the engine scheduled through {@code NettyConnectionPort} on the channel's event loop turns it on
 * again, by the connection's clock (the harness's); the channel stays open throughout.
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
    // 6 taken from a bucket of 5: paused until a whole token is back, 2 tokens at 5/s.
    harness.advanceTime(399, TimeUnit.MILLISECONDS);
    assertThat(channel.config().isAutoRead()).as("still paused at 399 ms").isFalse();
    harness.advanceTime(1, TimeUnit.MILLISECONDS);
    assertThat(channel.config().isAutoRead()).as("reading again at 400 ms").isTrue();
    assertThat(channel.isActive()).isTrue();
    assertThat(PipelineHarness.written(channel)).as("QoS 0: nothing to answer").isEmpty();
  }
}
