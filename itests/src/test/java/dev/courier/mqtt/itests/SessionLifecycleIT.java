package dev.courier.mqtt.itests;

import static dev.courier.mqtt.itests.PublishSubscribeIT.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Connection and session lifecycle: will messages (MQTT 3.1.1 section 3.1.2.5), persistent
 * sessions (3.1.2.4, 4.1) and session takeover (3.1.4).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SessionLifecycleIT extends CourierKarafTestSupport {

  @Test
  public void whenClientConnectionDropsWithoutDisconnect_thenItsWillIsPublished() throws Exception {
    awaitTransportOnTestPort();
    String willTopic = uniqueTopic("will");
    MessageRecorder watcher = new MessageRecorder();
    connectedClient("watch", watcher).subscribe(willTopic, 1);

    MqttClient dying = client(clientId("dying"));
    MqttConnectOptions options = options(true);
    options.setWill(willTopic, "gone".getBytes(StandardCharsets.UTF_8), 1, false);
    dying.connect(options);

    // Closes the socket without sending DISCONNECT: the server sees an abnormal close.
    dying.disconnectForcibly(0, 1000, false);

    await().atMost(TIMEOUT).until(() -> watcher.messages().size() == 1);
    assertThat(watcher.payloads()).containsExactly("gone");
    assertThat(watcher.messages().get(0).topic()).isEqualTo(willTopic);
  }

  @Test
  public void whenRawSocketIsClosedAfterConnack_thenWillIsPublished() throws Exception {
    awaitTransportOnTestPort();
    String willTopic = uniqueTopic("rawwill");
    MessageRecorder watcher = new MessageRecorder();
    connectedClient("rwatch", watcher).subscribe(willTopic, 1);

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", mqttPort()), 5000);
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      socket.getOutputStream().write(connectWithWill(clientId("raw"), willTopic, "raw-gone"));
      socket.getOutputStream().flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] connack = new byte[4];
      in.readFully(connack);
      assertThat(connack).containsExactly(0x20, 0x02, 0x00, 0x00);
    } // the socket is closed here with no DISCONNECT

    await().atMost(TIMEOUT).until(() -> watcher.messages().size() == 1);
    assertThat(watcher.payloads()).containsExactly("raw-gone");
  }

  @Test
  public void whenClientDisconnectsCleanly_thenItsWillIsDiscarded() throws Exception {
    awaitTransportOnTestPort();
    String willTopic = uniqueTopic("nowill");
    MessageRecorder watcher = new MessageRecorder();
    connectedClient("nwatch", watcher).subscribe(willTopic, 1);

    MqttClient polite = client(clientId("polite"));
    MqttConnectOptions options = options(true);
    options.setWill(willTopic, "should-not-appear".getBytes(StandardCharsets.UTF_8), 1, false);
    polite.connect(options);
    polite.disconnect(); // [MQTT-3.14.4-3]: DISCONNECT discards the will

    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> watcher.messages().isEmpty());
  }

  @Test
  public void whenPersistentSessionReconnects_thenQos1MessagesQueuedWhileAwayAreDelivered()
      throws Exception {
    awaitTransportOnTestPort();
    String topic = uniqueTopic("persist");
    String id = clientId("durable");

    MqttClient first = client(id);
    IMqttToken firstConnect = first.connectWithResult(options(false));
    assertThat(firstConnect.getSessionPresent()).isFalse();
    first.subscribe(topic, 1);
    first.disconnect();
    first.close();

    MqttClient publisher = connectedClient("pubaway", new MessageRecorder());
    for (int i = 1; i <= 3; i++) {
      publish(publisher, topic, "away-" + i, 1, false);
    }

    MessageRecorder received = new MessageRecorder();
    MqttClient again = client(id);
    again.setCallback(received);
    IMqttToken resumed = again.connectWithResult(options(false));
    // [MQTT-3.2.2-2]: the server still holds the session.
    assertThat(resumed.getSessionPresent()).isTrue();

    // No new SUBSCRIBE: the subscription and the queued messages belong to the session.
    await().atMost(TIMEOUT).until(() -> received.messages().size() >= 3);
    assertThat(received.payloads()).containsExactly("away-1", "away-2", "away-3");
    assertThat(received.messages()).allSatisfy(m -> assertThat(m.qos()).isEqualTo(1));

    // Live delivery continues on the resumed session.
    publish(publisher, topic, "live", 1, false);
    await().atMost(TIMEOUT).until(() -> received.payloads().contains("live"));
  }

  @Test
  public void whenReconnectingWithCleanSession_thenTheOldSessionIsDiscarded() throws Exception {
    awaitTransportOnTestPort();
    String topic = uniqueTopic("discard");
    String id = clientId("discard");

    MqttClient first = client(id);
    first.connect(options(false));
    first.subscribe(topic, 1);
    first.disconnect();
    first.close();

    MessageRecorder received = new MessageRecorder();
    MqttClient clean = client(id);
    clean.setCallback(received);
    IMqttToken token = clean.connectWithResult(options(true));
    // [MQTT-3.1.2-6], [MQTT-3.2.2-1]: clean session starts afresh.
    assertThat(token.getSessionPresent()).isFalse();

    MqttClient publisher = connectedClient("pubdisc", new MessageRecorder());
    publish(publisher, topic, "nobody-listens", 1, false);
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> received.messages().isEmpty());
  }

  @Test
  public void whenSecondClientConnectsWithSameId_thenFirstIsDisconnected() throws Exception {
    awaitTransportOnTestPort();
    String id = clientId("twin");
    String topic = uniqueTopic("takeover");

    MessageRecorder firstEvents = new MessageRecorder();
    MqttClient first = client(id);
    first.setCallback(firstEvents);
    first.connect(options(true));

    MessageRecorder secondEvents = new MessageRecorder();
    MqttClient second = client(id);
    second.setCallback(secondEvents);
    second.connect(options(true));

    // [MQTT-3.1.4-2]: the server disconnects the existing client with the same id.
    await().atMost(TIMEOUT).until(firstEvents::lost);
    assertThat(first.isConnected()).isFalse();
    assertThat(second.isConnected()).isTrue();

    // The newcomer owns the id and works.
    second.subscribe(topic, 1);
    MqttClient publisher = connectedClient("pubtwin", new MessageRecorder());
    publish(publisher, topic, "to-second", 1, false);
    await().atMost(TIMEOUT).until(() -> secondEvents.payloads().contains("to-second"));
    assertThat(secondEvents.lost()).isFalse();
  }

  /** An MQTT 3.1.1 CONNECT with a QoS 1 will, clean session, keep-alive 60 s. */
  private static byte[] connectWithWill(String clientId, String willTopic, String willMessage)
      throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, "MQTT");
    body.write(4); // protocol level 3.1.1
    body.write(0x02 | 0x04 | (1 << 3)); // clean session, will flag, will QoS 1
    body.write(0);
    body.write(60);
    writeString(body, clientId);
    writeString(body, willTopic);
    writeString(body, willMessage);

    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0x10);
    int remaining = body.size();
    do { // variable-length remaining length (2.2.3)
      int digit = remaining % 128;
      remaining /= 128;
      packet.write(remaining > 0 ? digit | 0x80 : digit);
    } while (remaining > 0);
    body.writeTo(packet);
    return packet.toByteArray();
  }

  private static void writeString(OutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.write(bytes.length >> 8);
    out.write(bytes.length & 0xff);
    out.write(bytes);
  }
}
