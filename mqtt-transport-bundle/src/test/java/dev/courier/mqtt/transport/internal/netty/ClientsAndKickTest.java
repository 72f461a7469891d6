package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.session.ClientSnapshot;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the engine tells an administrator ({@code MqttTransport.clients()}) about the connected
 * clients, and its kick: DISCONNECT 0x98 Administrative action with the reason on 5.0, a close
 * on 3.1.1, an events line either way.
 */
class ClientsAndKickTest {

  private RunningTransport server;
  private MqttEngine engine;
  private final RawConnections raw = new RawConnections();
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server = new RunningTransport();
    engine = server.rebindWithEvents(RunningTransport.usersExcept(null), events::add);
  }

  @AfterEach
  void stop() throws Exception {
    RunningTransport.closeClients(clients);
    raw.close();
    server.close();
  }

  @Test
  void whenClientsAreConnected_thenEachIsDescribedWithWhatItConnectedWith() throws Exception {
    Instant before = Instant.now().minusSeconds(1);
    MqttClient paho = new MqttClient(server.uri(), "meter-7", new MemoryPersistence());
    clients.add(paho);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName("alice");
    options.setPassword("pw".toCharArray());
    options.setKeepAliveInterval(45);
    options.setCleanSession(false);
    paho.connect(options);
    assertThat(raw.connect(server.port(), "raw-five", 5)).isZero();

    await().atMost(10, TimeUnit.SECONDS).until(() -> engine.clients().size() == 2);
    List<ClientSnapshot> described = engine.clients();
    ClientSnapshot meter = described.stream().filter(c -> c.clientId().equals("meter-7"))
        .findFirst().orElseThrow();
    assertThat(meter.username()).isEqualTo("alice");
    assertThat(meter.protocol()).isEqualTo("3.1.1");
    assertThat(meter.keepAliveSeconds()).isEqualTo(45);
    assertThat(meter.cleanStart()).isFalse();
    assertThat(meter.inFlight()).isZero();
    assertThat(meter.address()).startsWith("/127.0.0.1:");
    assertThat(meter.connectedAt()).isBetween(before, Instant.now().plusSeconds(1));
    ClientSnapshot five = described.stream().filter(c -> c.clientId().equals("raw-five"))
        .findFirst().orElseThrow();
    assertThat(five.protocol()).isEqualTo("5");
    assertThat(five.username()).isNull();
    assertThat(five.cleanStart()).isTrue();
  }

  @Test
  void whenA5ClientIsKicked_thenItGetsDisconnect0x98WithTheReason_andTheEventsSaySo()
      throws Exception {
    assertThat(raw.connect(server.port(), "raw-five", 5)).isZero();
    Socket socket = raw.last();

    assertThat(engine.kick("raw-five", "maintenance window")).isTrue();

    DataInputStream in = new DataInputStream(socket.getInputStream());
    assertThat(in.readUnsignedByte()).as("DISCONNECT").isEqualTo(0xE0);
    byte[] rest = new byte[in.readUnsignedByte()];
    in.readFully(rest);
    assertThat(rest[0] & 0xFF).as("reason code").isEqualTo(0x98);
    assertThat(new String(rest, StandardCharsets.UTF_8)).contains("maintenance window");
    assertThat(RawConnections.closedByServer(socket)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
        .anyMatch(l -> l.startsWith("kick client=raw-five ") && l.endsWith(
            " reason=maintenance window")));
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.clients().isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(l -> l.startsWith(
        "disconnect client=raw-five ") && l.contains(" reason=server-ADMINISTRATIVE_ACTION ")));
  }

  @Test
  void whenA311ClientIsKicked_thenItIsClosed_andAnUnknownIdIsNoKick() throws Exception {
    assertThat(raw.connect(server.port(), "raw-four", 4)).isZero();

    assertThat(engine.kick("nobody", null)).isFalse();
    assertThat(engine.kick("raw-four", null)).isTrue();

    assertThat(RawConnections.closedByServer(raw.last())).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> events.stream()
        .anyMatch(l -> l.startsWith("kick client=raw-four ") && l.endsWith(" reason=-")));
  }
}
