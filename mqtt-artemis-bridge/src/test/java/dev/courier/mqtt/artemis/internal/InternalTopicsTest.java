package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.netty.NettyTransport;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport on the Artemis bridge, with a real MQTT client trying to reach the bridge's records
 * and the broker's internal addresses: subscriptions inside them are refused, wildcard
 * subscriptions see none of them while retained messages are written and consumers come and go,
 * and publications into them change nothing.
 */
class InternalTopicsTest {

  @TempDir
  Path dir;
  private EmbeddedArtemis broker;
  private ArtemisBridge bridge;
  private NettyTransport transport;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    broker = new EmbeddedArtemis(dir);
    bridge = broker.start();
    TransportConfig config = TransportConfig.builder().host("127.0.0.1").port(0).build();
    transport = new NettyTransport();
    transport.rebind(new MqttEngine(config, new SessionRegistry(), bridge, AccessControl.open()));
  }

  @AfterEach
  void stop() throws Exception {
    for (MqttClient client : clients) {
      if (client.isConnected()) {
        client.disconnectForcibly(1000);
      }
      client.close(true);
    }
    transport.shutdown();
    broker.close();
  }

  @Test
  void whenSubscribingToInternalTopics_thenRefused_andWildcardsSeeOnlyPublicMessages()
      throws Exception {
    MqttAsyncClient spy = new MqttAsyncClient(uri(), "spy", new MemoryPersistence());
    spy.connect(options(true)).waitForCompletion(10_000);
    List<String> seen = new CopyOnWriteArrayList<>();
    spy.setCallback(new Recorder(seen));
    String[] filters = {"$courier/#", "$courier/retained", "$courier/sessions", "activemq/#",
        "activemq/notifications", "$courier-cluster/#", "$/artemis/internal/#", "#",
        "+/notifications", "+/retained", "$courier/+"};
    IMqttToken subscribed = spy.subscribe(filters, new int[filters.length]);
    subscribed.waitForCompletion(10_000);
    assertThat(subscribed.getGrantedQos())
        .containsExactly(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 0, 0, 0x80);

    long records = recordCount();
    MqttClient publisher = client("publisher");
    publisher.publish("public/r1", "one".getBytes(StandardCharsets.UTF_8), 1, true);
    publisher.publish("public/r2", "two".getBytes(StandardCharsets.UTF_8), 1, true);
    publisher.publish("public/r1", new byte[0], 1, true); // clears r1's record
    for (int i = 0; i < 3; i++) {
      // consumers come and go: Artemis announces each on activemq.notifications
      MqttClient passer = client("passer-" + i);
      passer.subscribe("public/+/x", 1);
      passer.unsubscribe("public/+/x");
      passer.disconnect();
    }
    // writes into the internal space are dropped (and acknowledged, as MQTT 3.1.1 must)
    publisher.publish("$courier/retained", "forged".getBytes(StandardCharsets.UTF_8), 1, true);
    publisher.publish("activemq/notifications", "forged".getBytes(StandardCharsets.UTF_8), 1,
        false);
    publisher.publish("public/last", "end".getBytes(StandardCharsets.UTF_8), 1, false);

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("public/last"));
    assertThat(seen).containsExactly("public/r1", "public/r2", "public/r1", "public/last");
    // a record reaches its queue after the journal write, on the queue's executor
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recordCount())
        .as("retained records: r2 added, r1 added then cleared").isEqualTo(records + 1));
    spy.disconnect().waitForCompletion(10_000);
    spy.close();
  }

  @Test
  void theBridgeDeclaresItsRecordsAndTheBrokersInternalAddresses() throws Exception {
    assertThat(bridge.reservedTopics()).contains("$courier/#", "$courier-cluster/#",
        "activemq/#", "$/artemis/internal/#", "$sys/mqtt/#");
  }

  private long recordCount() {
    return broker.server().locateQueue(SimpleString.of(RetainedStore.QUEUE)).getMessageCount();
  }

  private String uri() {
    return "tcp://127.0.0.1:" + transport.boundAddress().getPort();
  }

  private static MqttConnectOptions options(boolean clean) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(clean);
    options.setAutomaticReconnect(false);
    return options;
  }

  private MqttClient client(String id) throws MqttException {
    MqttClient client = new MqttClient(uri(), id, new MemoryPersistence());
    clients.add(client);
    client.connect(options(true));
    return client;
  }

  /** Records the topic of every message that arrives. */
  private record Recorder(List<String> topics)
      implements org.eclipse.paho.client.mqttv3.MqttCallback {
    @Override
    public void connectionLost(Throwable cause) {}

    @Override
    public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
      topics.add(topic);
    }

    @Override
    public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}
  }
}
