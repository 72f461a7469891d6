package dev.courier.mqtt.transport.internal.protocol;

import static dev.courier.mqtt.transport.internal.protocol.Packets.subscribe;
import static dev.courier.mqtt.transport.internal.protocol.TestClient.text;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 section 3.1.3.2.2 Will Delay Interval: the will is published once the delay has passed
 * or the session ended, whichever comes first, and not at all if a new connection to the session
 * comes first [MQTT-3.1.3-9].
 */
class WillDelaySection3_1_3Test {

  private final EngineFixture engine = new EngineFixture();
  private TestClient watcher;
  private final List<String> wills = new ArrayList<>();

  @BeforeEach
  void watchWills() {
    watcher = engine.connected("watcher", true);
    watcher.send(subscribe(1, "wills/#", 0));
    watcher.next(SUBACK);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private static MqttConnectMessage connect(boolean cleanStart, long sessionExpiry,
      long willDelay) {
    MqttProperties properties = new MqttProperties();
    properties.add(new IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(),
        (int) sessionExpiry));
    MqttProperties willProperties = new MqttProperties();
    willProperties.add(new IntegerProperty(MqttPropertyType.WILL_DELAY_INTERVAL.value(),
        (int) willDelay));
    return MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId("dying")
        .cleanSession(cleanStart).keepAlive(60).properties(properties)
        .willFlag(true).willTopic("wills/dying").willQoS(MqttQoS.AT_MOST_ONCE)
        .willMessage("gone".getBytes(StandardCharsets.UTF_8)).willProperties(willProperties)
        .build();
  }

  private TestClient connectDying(boolean cleanStart, long sessionExpiry, long willDelay) {
    TestClient client = engine.client();
    client.send(connect(cleanStart, sessionExpiry, willDelay));
    assertThat(client.nextConnAck().variableHeader().connectReturnCode())
        .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    return client;
  }

  /** Runs the loop (where a due will is published) and collects what the watcher got. */
  private List<String> willsSeen() {
    engine.loop.runAll();
    for (MqttMessage message : watcher.rest()) {
      if (message instanceof MqttPublishMessage publish) {
        wills.add(text(publish));
      }
    }
    return wills;
  }

  @Test
  void whenTheConnectionIsLost_thenTheWillWaitsForItsDelay() {
    connectDying(true, 60, 1).drop();
    long lost = System.nanoTime();

    assertThat(willsSeen()).as("not at once").isEmpty();
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !willsSeen().isEmpty());
    assertThat(Duration.ofNanos(System.nanoTime() - lost)).isGreaterThan(Duration.ofMillis(900));
    assertThat(wills).containsExactly("gone");
  }

  @Test
  void whenTheClientResumesTheSessionWithinTheDelay_thenTheWillIsNeverSent() {
    connectDying(true, 60, 1).drop();
    TestClient back = connectDying(false, 60, 1);

    assertThat(engine.registry.wills().size()).isZero();
    Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> willsSeen().isEmpty());
    back.dispose();
  }

  @Test
  void whenANewConnectionStartsCleanWithinTheDelay_thenTheOldSessionsWillIsSentAtOnce() {
    connectDying(true, 60, 30).drop();
    connectDying(true, 60, 30);

    assertThat(willsSeen()).containsExactly("gone");
  }

  @Test
  void whenTheSessionEndsWithTheConnection_thenTheWillIsNotDelayed() {
    connectDying(true, 0, 30).drop();

    assertThat(willsSeen()).containsExactly("gone");
  }
}
