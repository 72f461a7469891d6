package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole transport (Netty listener, protocol engine, in-memory bridge) against a real client
 * library over TCP, outside OSGi. The Karaf integration tests repeat the essentials in a container.
 */
class PahoInteropTest {

  private RunningTransport server;
  private final List<MqttClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server = new RunningTransport();
  }

  @AfterEach
  void stop() {
    RunningTransport.closeClients(clients);
    server.close();
  }

  private MqttClient client(String id, boolean clean, Received received) throws MqttException {
    MqttClient client = new MqttClient(server.uri(), id, new MemoryPersistence());
    clients.add(client);
    if (received != null) {
      client.setCallback(received);
    }
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(clean);
    options.setAutomaticReconnect(false);
    // Paho wakes a synchronous publish() when the ack arrives but frees its in-flight slot later,
    // on its callback thread: on a loaded machine 10 (its default) quick publishes outrun that and
    // the client itself refuses the next one with "Too many publishes in progress".
    options.setMaxInflight(1000);
    client.connect(options);
    return client;
  }

  @ParameterizedTest(name = "QoS {0}")
  @ValueSource(ints = {0, 1, 2})
  void whenPublishedAtQos_thenSubscriberReceivesOnceAtThatQos(int qos) throws Exception {
    Received received = new Received();
    MqttClient subscriber = client("sub-" + qos, true, received);
    subscriber.subscribe("e2e/qos", 2);
    MqttClient publisher = client("pub-" + qos, true, null);
    for (int i = 0; i < 50; i++) {
      publisher.publish("e2e/qos", ("m" + i).getBytes(StandardCharsets.UTF_8), qos, false);
    }
    for (int i = 0; i < 50; i++) {
      Message message = received.next();
      assertThat(message.text()).isEqualTo("m" + i);
      assertThat(message.qos).isEqualTo(qos);
      assertThat(message.retained).isFalse();
    }
    assertThat(received.queue.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void whenRetainedSet_thenLaterSubscriberGetsItWithRetainFlag_andEmptyPayloadClearsIt()
      throws Exception {
    MqttClient publisher = client("retainer", true, null);
    publisher.publish("e2e/retained", "first".getBytes(StandardCharsets.UTF_8), 1, true);
    publisher.publish("e2e/retained", "second".getBytes(StandardCharsets.UTF_8), 1, true);

    Received early = new Received();
    MqttClient subscriber = client("retain-sub", true, early);
    subscriber.subscribe("e2e/#", 1);
    Message message = early.next();
    assertThat(message.text()).isEqualTo("second");
    assertThat(message.retained).isTrue();

    publisher.publish("e2e/retained", new byte[0], 1, true);
    Message clearing = early.next(); // the clearing message itself is delivered, not retained
    assertThat(clearing.payload).isEmpty();
    assertThat(clearing.retained).isFalse();

    Received late = new Received();
    MqttClient lateSubscriber = client("retain-late", true, late);
    lateSubscriber.subscribe("e2e/#", 1);
    assertThat(late.queue.poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertThat(server.bridge.retainedCount()).isZero();
  }

  @Test
  void whenPersistentSessionReconnects_thenQueuedQos1MessagesArrive() throws Exception {
    Received first = new Received();
    MqttClient subscriber = client("persistent", false, first);
    subscriber.subscribe("e2e/persist", 1);
    subscriber.disconnect();

    MqttClient publisher = client("persist-pub", true, null);
    for (int i = 0; i < 20; i++) {
      publisher.publish("e2e/persist", ("p" + i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    publisher.publish("e2e/persist", "dropped-qos0".getBytes(StandardCharsets.UTF_8), 0, false);

    Received resumed = new Received();
    MqttClient again = new MqttClient(server.uri(), "persistent", new MemoryPersistence());
    clients.add(again);
    again.setCallback(resumed);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(false);
    again.connect(options);
    for (int i = 0; i < 20; i++) {
      assertThat(resumed.next().text()).isEqualTo("p" + i);
    }
    assertThat(resumed.queue.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void whenSameClientIdConnects_thenFirstConnectionIsTakenOver() throws Exception {
    Received lost = new Received();
    MqttClient first = client("twin", true, lost);
    MqttClient second = client("twin", true, null);
    await().atMost(Duration.ofSeconds(5)).until(() -> !first.isConnected());
    assertThat(second.isConnected()).isTrue();
    assertThat(server.registry.connectedCount()).isEqualTo(1);
  }

  @Test
  void whenConnectionDropsWithoutDisconnect_thenWillIsPublished_butNotAfterDisconnect()
      throws Exception {
    Received wills = new Received();
    MqttClient watcher = client("watcher", true, wills);
    watcher.subscribe("e2e/will/#", 1);

    MqttClient polite = new MqttClient(server.uri(), "polite", new MemoryPersistence());
    clients.add(polite);
    MqttConnectOptions politeOptions = new MqttConnectOptions();
    politeOptions.setWill("e2e/will/polite", "gone".getBytes(StandardCharsets.UTF_8), 1, false);
    polite.connect(politeOptions);
    polite.disconnect();

    MqttClient rude = new MqttClient(server.uri(), "rude", new MemoryPersistence());
    clients.add(rude);
    MqttConnectOptions rudeOptions = new MqttConnectOptions();
    rudeOptions.setWill("e2e/will/rude", "gone".getBytes(StandardCharsets.UTF_8), 1, false);
    rude.connect(rudeOptions);
    // Taking over the session closes the first connection without DISCONNECT from its client.
    MqttClient taker = client("rude", true, null);
    assertThat(taker.isConnected()).isTrue();

    Message will = wills.next();
    assertThat(will.topic).isEqualTo("e2e/will/rude");
    assertThat(wills.queue.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void whenOverlappingSubscriptions_thenDeliveredOnceAtHighestQos() throws Exception {
    Received received = new Received();
    MqttClient subscriber = client("overlap", true, received);
    subscriber.subscribe(new String[] {"e2e/+/x", "e2e/#", "e2e/a/x"}, new int[] {0, 1, 2});
    MqttClient publisher = client("overlap-pub", true, null);
    publisher.publish("e2e/a/x", "one".getBytes(StandardCharsets.UTF_8), 2, false);
    Message message = received.next();
    assertThat(message.qos).isEqualTo(2);
    assertThat(received.queue.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void whenWildcardsSubscribed_thenOnlyMatchingTopicsArrive() throws Exception {
    Received received = new Received();
    MqttClient subscriber = client("wild", true, received);
    subscriber.subscribe(new String[] {"sport/+/player1", "finance/#"}, new int[] {1, 1});
    MqttClient publisher = client("wild-pub", true, null);
    for (String topic : new String[] {"sport/tennis/player1", "sport/tennis/player2",
        "finance", "finance/stock/ibm", "$SYS/x", "sport/tennis/player1/ranking"}) {
      publisher.publish(topic, topic.getBytes(StandardCharsets.UTF_8), 1, false);
    }
    assertThat(List.of(received.next().topic, received.next().topic, received.next().topic))
        .containsExactly("sport/tennis/player1", "finance", "finance/stock/ibm");
    assertThat(received.queue.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  record Message(String topic, byte[] payload, int qos, boolean retained) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  static final class Received implements MqttCallback {
    final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    volatile Throwable lost;

    Message next() throws InterruptedException {
      Message message = queue.poll(5, TimeUnit.SECONDS);
      assertThat(message).as("message within 5 s").isNotNull();
      return message;
    }

    @Override
    public void connectionLost(Throwable cause) {
      lost = cause;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      queue.add(new Message(topic, message.getPayload(), message.getQos(), message.isRetained()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {}
  }
}
