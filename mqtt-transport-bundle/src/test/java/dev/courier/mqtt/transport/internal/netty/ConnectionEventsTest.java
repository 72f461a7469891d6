package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.context.ConnectionEvents;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connection events log ({@value ConnectionEvents#LOGGER}) on a real listener: its line per
 * connect, subscribe, unsubscribe, refusal, takeover and disconnect, with what each names, and
 * never a password.
 */
class ConnectionEventsTest {

  private static final String PASSWORD = "s3cret-pass";

  private RunningTransport server;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server = new RunningTransport();
    AccessControl access = RunningTransport.usersExcept("mallory");
    access.authorizer(new Authorizer() {
      @Override
      public CompletionStage<Boolean> mayPublish(ClientIdentity client, String topic) {
        return CompletableFuture.completedFuture(true);
      }

      @Override
      public CompletionStage<Boolean> maySubscribe(ClientIdentity client, String filter) {
        return CompletableFuture.completedFuture(!filter.startsWith("secret/"));
      }
    });
    server.rebindWithEvents(access, lines::add);
  }

  @AfterEach
  void stop() {
    RunningTransport.closeClients(clients);
    server.close();
  }

  private MqttClient connect(String id, String user, boolean clean) throws MqttException {
    MqttClient client = new MqttClient(server.uri(), id, new MemoryPersistence());
    clients.add(client);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(false);
    options.setCleanSession(clean);
    options.setKeepAliveInterval(30);
    if (user != null) {
      options.setUserName(user);
      options.setPassword(PASSWORD.toCharArray());
    }
    client.connect(options);
    return client;
  }

  private String line(String start) {
    await().atMost(10, TimeUnit.SECONDS)
        .until(() -> lines.stream().anyMatch(l -> l.startsWith(start)));
    return lines.stream().filter(l -> l.startsWith(start)).findFirst().orElseThrow();
  }

  @Test
  void whenAClientConnectsSubscribesUnsubscribesAndDisconnects_thenALineEach() throws Exception {
    MqttClient client = connect("sensor-1", "alice", false);
    client.subscribe(new String[] {"sensors/#", "secret/x"}, new int[] {1, 0});
    client.unsubscribe("sensors/#");
    client.disconnect();

    assertThat(line("connect client=sensor-1")).startsWith(
        "connect client=sensor-1 user=alice address=/127.0.0.1:").endsWith(
        " protocol=3.1.1 keepAlive=30 cleanStart=false sessionPresent=false will=false");
    assertThat(line("subscribe client=sensor-1"))
        .isEqualTo("subscribe client=sensor-1 sensors/#=qos1 secret/x=0x87");
    assertThat(line("unsubscribe client=sensor-1"))
        .isEqualTo("unsubscribe client=sensor-1 filters=sensors/#");
    assertThat(line("disconnect client=sensor-1")).matches(
        "disconnect client=sensor-1 address=/127\\.0\\.0\\.1:\\d+ reason=disconnect"
            + " duration=\\d+ms");
    assertThat(lines).noneMatch(l -> l.contains(PASSWORD));
  }

  @Test
  void whenRefused_takenOver_orLost_thenTheLineSaysSo() throws Exception {
    assertThatThrownBy(() -> connect("intruder", "mallory", true))
        .isInstanceOf(MqttException.class);
    assertThat(line("refuse client=intruder")).startsWith("refuse client=intruder address=/127.0.0.1:")
        .endsWith(" reason=BAD_USER_NAME_OR_PASSWORD");

    MqttClient first = connect("phone", "bob", true);
    connect("phone", "bob", true);
    assertThat(line("takeover client=phone")).startsWith("takeover client=phone address=");
    assertThat(line("disconnect client=phone")).contains(" reason=taken-over ");

    MqttClient lost = connect("laptop", null, true);
    lost.disconnectForcibly(0, 10, false); // the socket closes without DISCONNECT
    assertThat(line("disconnect client=laptop")).contains(" reason=connection-lost ");
    assertThat(line("connect client=laptop")).contains(" user=- ");
    assertThat(first.isConnected()).isFalse();
    assertThat(lines).noneMatch(l -> l.contains(PASSWORD));
  }
}
