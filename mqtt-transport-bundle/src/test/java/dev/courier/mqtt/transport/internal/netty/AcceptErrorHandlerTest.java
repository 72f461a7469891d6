package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Accept failures (the file limit reached) are logged once per interval and keep the listener. */
class AcceptErrorHandlerTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final AcceptErrorHandler handler = new AcceptErrorHandler(now::get);
  private final EmbeddedChannel listener = new EmbeddedChannel(handler);

  private void fail() {
    listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
  }

  @Test
  void whenAcceptingFailsRepeatedly_thenOneLogLinePerInterval_andNothingReachesTheTail() {
    fail();
    assertThat(handler.unlogged()).as("the first is logged at once").isZero();
    for (int i = 0; i < 99; i++) {
      fail();
    }

    listener.checkException(); // would throw had one reached the tail of the pipeline
    assertThat(handler.failures()).isEqualTo(100);
    assertThat(handler.unlogged()).as("held for the next line").isEqualTo(99);
    assertThat(listener.isOpen()).as("the listener stays").isTrue();
  }

  @Test
  void whenTheIntervalHasPassed_thenTheNextFailureLogsTheCountSinceTheLastLine() {
    fail();
    fail();
    fail();
    now.addAndGet(LogThrottle.INTERVAL_NANOS - 1);
    fail();
    assertThat(handler.unlogged()).isEqualTo(3);

    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    fail();

    assertThat(handler.unlogged()).isZero();
    assertThat(handler.failures()).isEqualTo(5);
    listener.checkException();
  }
}
