package dev.courier.mqtt.transport.internal.netty;

import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGREQ;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.PINGRESP;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.connAck;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.packet;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.prefixed;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.utf8;
import static dev.courier.mqtt.transport.internal.netty.PipelineHarness.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keep Alive (MQTT 3.1.1 / 5.0 section 3.1.2.10) through the real client pipeline: a connection
 * that sends nothing for one and a half times its keep alive is closed [MQTT-3.1.2-24], not
 * before; anything read restarts the count; a 5.0 client is held to the Server Keep Alive it was
 * told [MQTT-3.1.2-21]. Time is the harness's, moved by hand.
 */
class KeepAliveSection3_1_2_10Test {

  private static final int MAX_KEEP_ALIVE = 100;

  private final PipelineHarness harness = new PipelineHarness(withMaxKeepAlive(MAX_KEEP_ALIVE));

  private static TransportConfig withMaxKeepAlive(int seconds) {
    return TransportConfig.builder().maxKeepAliveSeconds(seconds).build();
  }

  @AfterEach
  void releaseEverything() {
    harness.closeChannels();
    assertThat(harness.unreleasedInputs()).as("input buffers released").isEmpty();
    assertThat(harness.unexpectedErrors()).isEmpty();
    harness.shutdown();
  }

  /** A CONNECT of protocol {@code level} (4: 3.1.1, 5: 5.0) with {@code keepAlive} seconds. */
  private static byte[] connect(int level, String clientId, int keepAlive) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(prefixed(utf8("MQTT")));
    body.write(level);
    body.write(0x02); // clean session
    body.write(keepAlive >> 8);
    body.write(keepAlive & 0xFF);
    if (level == 5) {
      body.write(0); // no properties
    }
    body.writeBytes(prefixed(utf8(clientId)));
    return packet(0x10, body.toByteArray());
  }

  private EmbeddedChannel connected(String clientId, int keepAlive) {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel, connect(4, clientId, keepAlive));
    assertThat(written(channel)).isEqualTo(connAck(0));
    return channel;
  }

  private void advanceMillis(long millis) {
    harness.advanceTime(millis, TimeUnit.MILLISECONDS);
  }

  @Test
  void whenSilentForOneAndAHalfKeepAlive_thenClosedAndNotBefore() {
    EmbeddedChannel channel = connected("sleepy", 10);
    MqttConnectionHandler handler = PipelineHarness.connectionHandler(channel);

    advanceMillis(14_999);
    assertThat(channel.isOpen()).as("open just before 15 s").isTrue();
    advanceMillis(1);
    assertThat(channel.isOpen()).as("closed at 15 s").isFalse();
    assertThat(handler.keepAlivePending()).isFalse();
  }

  @Test
  void whenPacketArrives_thenSilenceIsCountedFromIt() {
    EmbeddedChannel channel = connected("pinger", 10);

    advanceMillis(10_000);
    harness.feed(channel, PINGREQ);
    assertThat(written(channel)).isEqualTo(PINGRESP);
    advanceMillis(14_999); // 25 s after CONNECT, 15 s less 1 ms after the PINGREQ
    assertThat(channel.isOpen()).as("open: the PINGREQ restarted the count").isTrue();
    advanceMillis(1);
    assertThat(channel.isOpen()).as("closed 15 s after the PINGREQ").isFalse();
  }

  @Test
  void whenOnlyPartOfAPacketArrives_thenThatCountsAsHeardFrom() {
    EmbeddedChannel channel = connected("slow", 10);

    advanceMillis(10_000);
    harness.feed(channel, new byte[] {(byte) 0xC0}); // the first byte of a PINGREQ
    advanceMillis(14_999);
    assertThat(channel.isOpen()).isTrue();
    harness.feed(channel, new byte[] {0x00});
    assertThat(written(channel)).isEqualTo(PINGRESP);
    advanceMillis(14_999);
    assertThat(channel.isOpen()).isTrue();
    advanceMillis(1);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void whenClientAsksForNoKeepAlive_thenTheServerMaximumApplies() {
    // Courier grants maxKeepAliveSeconds to a client asking for 0: it is never held forever.
    EmbeddedChannel channel = connected("forever", 0);

    advanceMillis(MAX_KEEP_ALIVE * 1_500L - 1);
    assertThat(channel.isOpen()).isTrue();
    advanceMillis(1);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void whenKeepAliveIsZero_thenNoTimerAndNeverClosed() {
    EmbeddedChannel channel = connected("timerless", 10);
    MqttConnectionHandler handler = PipelineHarness.connectionHandler(channel);
    handler.keepAlive(0);

    assertThat(handler.keepAlivePending()).isFalse();
    advanceMillis(TimeUnit.DAYS.toMillis(30));
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void whenMqtt5ClientAsksMoreThanTheMaximum_thenHeldToTheServerKeepAliveItWasTold() {
    EmbeddedChannel channel = harness.channel();
    harness.feed(channel, connect(5, "five", 1000));
    String connAck = HexFormat.of().formatHex(written(channel));
    assertThat(connAck).startsWith("20").contains("130064"); // Server Keep Alive 100

    advanceMillis(MAX_KEEP_ALIVE * 1_500L - 1);
    assertThat(channel.isOpen()).isTrue();
    advanceMillis(1);
    // [MQTT-4.13.1-1] DISCONNECT with 0x8D Keep Alive timeout, then closed
    String disconnect = HexFormat.of().formatHex(written(channel));
    assertThat(disconnect).startsWith("e0").contains("8d");
    assertThat(disconnect.substring(4, 6)).isEqualTo("8d");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void whenSilentBecauseThrottled_thenNotClosed_andCountedFromTheNextRead() {
    // maxPublishRate 1/s: five publications at once pause reading for 5 s, longer than the 3 s
    // after which a keep alive of 2 s expires. The silence is ours, not the client's.
    PipelineHarness throttling =
        new PipelineHarness(withMaxKeepAlive(MAX_KEEP_ALIVE).withPublishRate(1));
    try {
      EmbeddedChannel channel = throttling.channel();
      throttling.feed(channel, connect(4, "throttled", 2));
      assertThat(written(channel)).isEqualTo(connAck(0));
      byte[] publish = PipelineHarness.publish(0, utf8("t"), 0, utf8("x"));
      throttling.feed(channel, publish, publish, publish, publish, publish);
      assertThat(channel.config().isAutoRead()).isFalse();

      throttling.advanceTime(3_000, TimeUnit.MILLISECONDS);
      assertThat(channel.isOpen()).as("expired while throttled: kept").isTrue();
      throttling.advanceTime(2_000, TimeUnit.MILLISECONDS);
      assertThat(channel.config().isAutoRead()).as("reading again at 5 s").isTrue();
      throttling.advanceTime(500, TimeUnit.MILLISECONDS);
      throttling.feed(channel, PINGREQ);
      assertThat(written(channel)).isEqualTo(PINGRESP);
      throttling.advanceTime(2_999, TimeUnit.MILLISECONDS);
      assertThat(channel.isOpen()).as("3 s less 1 ms after the PINGREQ").isTrue();
      throttling.advanceTime(1, TimeUnit.MILLISECONDS);
      assertThat(channel.isOpen()).as("3 s after the PINGREQ").isFalse();
    } finally {
      throttling.shutdown();
    }
  }

  @Test
  void whenConnectionCloses_thenItsKeepAliveCheckIsCancelled() {
    EmbeddedChannel channel = connected("gone", 10);
    MqttConnectionHandler handler = PipelineHarness.connectionHandler(channel);
    assertThat(handler.keepAlivePending()).isTrue();

    channel.close();
    channel.runPendingTasks();

    // Not held on the event loop's queue, with the connection, until it would have fired.
    assertThat(handler.keepAlivePending()).isFalse();
  }

  @Test
  void whenOneClientIsSilent_thenOthersStayConnected() {
    EmbeddedChannel silent = connected("silent", 10);
    EmbeddedChannel talking = connected("talking", 10);

    for (int i = 0; i < 3; i++) {
      advanceMillis(7_000);
      harness.feed(talking, PINGREQ);
      assertThat(written(talking)).isEqualTo(PINGRESP);
    }

    assertThat(silent.isOpen()).isFalse();
    assertThat(talking.isOpen()).isTrue();
  }
}
