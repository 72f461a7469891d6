package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * MQTT on the Artemis bridge in a real Karaf: durability across a restart of the broker and the
 * transport, retained messages, interop with Artemis Core clients (what JMS rides on), QoS 2 across
 * a reconnect, and no queue left behind.
 *
 * <p>"Restart" here stops and starts Artemis's broker bundle, the bridge and the transport, so
 * that everything they hold in memory is gone and only Artemis's journal remains, as after a
 * container restart (a real {@code kill -9} of the whole Karaf is {@code benchmark/crash-test.sh}).
 * Artemis types appear only inside method bodies (see {@link #awaitActiveMQServer()}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ArtemisBridgeIT extends CourierKarafTestSupport {

  private static final String CORE_USER = "coreclient";

  @Override
  protected boolean withArtemis() {
    return true;
  }

  @Override
  protected Option[] extraOptions(int mqttPort) {
    // A Core client logs in through the karaf JAAS realm; Courier's broker grants role admin.
    return new Option[] {
      editConfigurationFilePut("etc/users.properties", CORE_USER, CORE_USER + ",admin"),
    };
  }

  private MqttClient connect(String clientId, boolean cleanSession, MessageRecorder recorder)
      throws Exception {
    MqttClient client = client(clientId);
    if (recorder != null) {
      client.setCallback(recorder);
    }
    client.connect(options(cleanSession));
    return client;
  }

  private void restartBrokerAndTransport() throws Exception {
    ArtemisRestart.brokerAndTransport(this);
  }

  private int courierQueues() {
    ActiveMQServer server = (ActiveMQServer) bundleContext.getService(awaitActiveMQServer());
    // No lambda over Artemis types: its synthetic method would name them (see the class comment).
    int count = 0;
    for (Object binding : server.getPostOffice().getAllBindings().toArray()) {
      if (((org.apache.activemq.artemis.core.postoffice.Binding) binding).getUniqueName().toString()
          .startsWith("courier.mqtt.")) {
        count++;
      }
    }
    return count;
  }

  @Test
  public void whenArtemisIsInstalled_thenTheTransportUsesTheArtemisBridge() throws Exception {
    awaitArtemisTransport();
    assertThat(currentTransport().orElseThrow().bridgeName()).isEqualTo("artemis");
  }

  @Test
  public void whenRestartedWhileAPersistentSubscriberWasAway_thenItGetsEveryQos1Message()
      throws Exception {
    awaitArtemisTransport();
    String topic = uniqueTopic("durable");
    String subscriberId = clientId("away");
    MqttClient subscriber = connect(subscriberId, false, null);
    subscriber.subscribe(topic, 1);
    subscriber.disconnect();
    MqttClient publisher = connect(clientId("pub"), true, null);
    for (int i = 0; i < 100; i++) {
      publisher.publish(topic, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    publisher.disconnect();

    restartBrokerAndTransport();

    MessageRecorder recorder = new MessageRecorder();
    MqttClient resumed = client(subscriberId);
    resumed.setCallback(recorder);
    assertThat(resumed.connectWithResult(options(false)).getSessionPresent()).isTrue();
    List<String> expected = IntStream.range(0, 100).mapToObj(i -> "m" + i)
        .collect(Collectors.toList());
    await().atMost(TIMEOUT).until(() -> recorder.payloads().size() >= 100);
    assertThat(recorder.payloads()).containsExactlyElementsOf(expected);
    resumed.disconnect();
  }

  @Test
  public void whenRestarted_thenTheRetainedMessageIsStillThere() throws Exception {
    awaitArtemisTransport();
    String topic = uniqueTopic("retained");
    MqttClient publisher = connect(clientId("pub"), true, null);
    publisher.publish(topic, "kept".getBytes(StandardCharsets.UTF_8), 1, true);
    publisher.disconnect();

    restartBrokerAndTransport();

    MessageRecorder recorder = new MessageRecorder();
    MqttClient subscriber = connect(clientId("late"), true, recorder);
    subscriber.subscribe(topic, 1);
    await().atMost(TIMEOUT).until(() -> !recorder.messages().isEmpty());
    assertThat(recorder.messages()).hasSize(1);
    assertThat(recorder.messages().get(0).payload()).isEqualTo("kept");
    assertThat(recorder.messages().get(0).retained()).isTrue();
  }

  @Test
  public void whenMqttPublishes_thenACoreConsumerOnTheMappedAddressReceivesIt()
      throws Exception {
    awaitArtemisTransport();
    String topic = uniqueTopic("interop");
    String address = topic.replace('/', '.');
    ServerLocator locator = ActiveMQClient.createServerLocator(
        "tcp://127.0.0.1:" + artemisCorePort());
    try (ClientSessionFactory factory = locator.createSessionFactory();
         ClientSession session = factory.createSession(CORE_USER, CORE_USER, false, true, true,
             false, 0)) {
      session.createQueue(QueueConfiguration.of(address + ".jms").setAddress(address)
          .setRoutingType(RoutingType.MULTICAST).setDurable(false));
      ClientConsumer consumer = session.createConsumer(address + ".jms");
      session.start();

      MqttClient publisher = connect(clientId("pub"), true, null);
      publisher.publish(topic, "from mqtt".getBytes(StandardCharsets.UTF_8), 1, false);

      ClientMessage received = consumer.receive(TIMEOUT.toMillis());
      assertThat(received).isNotNull();
      byte[] body = new byte[received.getBodyBuffer().readableBytes()];
      received.getBodyBuffer().readBytes(body);
      assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("from mqtt");
      assertThat(received.getStringProperty("MQTT_TOPIC")).isEqualTo(topic);
      assertThat(received.getIntProperty("MQTT_QOS")).isEqualTo(1);
      assertThat(received.isDurable()).isTrue();
    } finally {
      locator.close();
    }
  }

  @Test
  public void whenACoreClientSends_thenAnMqttSubscriberReceivesItAtQos1() throws Exception {
    awaitArtemisTransport();
    String topic = uniqueTopic("interop");
    MessageRecorder recorder = new MessageRecorder();
    MqttClient subscriber = connect(clientId("sub"), true, recorder);
    subscriber.subscribe(topic, 2);
    ServerLocator locator = ActiveMQClient.createServerLocator(
        "tcp://127.0.0.1:" + artemisCorePort());
    try (ClientSessionFactory factory = locator.createSessionFactory();
         ClientSession session = factory.createSession(CORE_USER, CORE_USER, false, true, true,
             false, 0)) {
      ClientProducer producer = session.createProducer(topic.replace('/', '.'));
      ClientMessage message = session.createMessage(ClientMessage.BYTES_TYPE, true);
      message.getBodyBuffer().writeBytes("from core".getBytes(StandardCharsets.UTF_8));
      producer.send(message);
    } finally {
      locator.close();
    }
    await().atMost(TIMEOUT).until(() -> !recorder.messages().isEmpty());
    assertThat(recorder.messages().get(0).payload()).isEqualTo("from core");
    assertThat(recorder.messages().get(0).topic()).isEqualTo(topic);
    assertThat(recorder.messages().get(0).qos()).isEqualTo(1);
  }

  @Test
  public void whenQos2SubscriberReconnectsMidStream_thenEveryMessageArrivesExactlyOnce()
      throws Exception {
    awaitArtemisTransport();
    String topic = uniqueTopic("once");
    String subscriberId = clientId("once");
    // The subscriber's QoS 2 state must outlive its connection: a file store shared by the client
    // before and after the drop (a new client object, as an application restarting would have).
    java.nio.file.Path store = java.nio.file.Files.createTempDirectory("paho-once");
    MessageRecorder recorder = new MessageRecorder();
    MqttClient subscriber = new MqttClient("tcp://127.0.0.1:" + mqttPort(), subscriberId,
        new org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence(store.toString()));
    subscriber.setTimeToWait(TIMEOUT.toMillis());
    subscriber.setCallback(recorder);
    subscriber.connect(options(false));
    subscriber.subscribe(topic, 2);
    MqttClient publisher = connect(clientId("pub"), false, null);
    MqttClient resumed = null;
    try {
      for (int i = 0; i < 200; i++) {
        publisher.publish(topic, ("q" + i).getBytes(StandardCharsets.UTF_8), 2, false);
        if (i == 100) {
          // The subscriber's connection drops with deliveries in flight.
          subscriber.disconnectForcibly(0, 0, false);
          subscriber.close(true);
        }
      }
      resumed = new MqttClient("tcp://127.0.0.1:" + mqttPort(), subscriberId,
          new org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence(store.toString()));
      resumed.setTimeToWait(TIMEOUT.toMillis());
      resumed.setCallback(recorder);
      resumed.connect(options(false));
      await().atMost(TIMEOUT).until(() -> recorder.payloads().size() >= 200);
      // Nothing more trickles in after all 200 arrived.
      await().during(QUIET).atMost(QUIET.multipliedBy(3))
          .until(() -> recorder.payloads().size() == 200);
      List<String> expected = new ArrayList<>();
      IntStream.range(0, 200).forEach(i -> expected.add("q" + i));
      assertThat(recorder.payloads()).containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      if (resumed != null) {
        resumed.disconnectForcibly(0, 0, false);
        resumed.close(true);
      }
    }
  }

  @Test
  public void whenCleanSessionDisconnects_thenNoQueueIsLeftBehind() throws Exception {
    awaitArtemisTransport();
    int before = courierQueues();
    MqttClient client = connect(clientId("clean"), true, null);
    client.subscribe(new String[] {uniqueTopic("a") + "/#", uniqueTopic("b") + "/+"},
        new int[] {1, 2});
    assertThat(courierQueues()).isEqualTo(before + 2);
    client.disconnect();
    await().atMost(TIMEOUT).until(() -> courierQueues() == before);

    // A persistent session's queues go when the client comes back with a clean session.
    String id = clientId("persist");
    MqttClient persistent = connect(id, false, null);
    persistent.subscribe(uniqueTopic("p"), 1);
    persistent.disconnect();
    assertThat(courierQueues()).isEqualTo(before + 1);
    MqttClient cleaned = client(id);
    cleaned.connect(options(true));
    cleaned.disconnect();
    await().atMost(TIMEOUT).until(() -> courierQueues() == before);
  }

  /**
   * {@code bridge = any} keeps the old behaviour: without a bridge service the transport runs on
   * the in-memory bridge at once. (With the default {@code auto} no listener is bound meanwhile:
   * {@link BridgeRequirementIT}.)
   */
  @Test
  public void whenBridgeIsAnyAndTheBridgeBundleStops_thenTheBrokerRunsOnAndTheTransportFallsBackInMemory()
      throws Exception {
    awaitArtemisTransport();
    ActiveMQServer server = (ActiveMQServer) bundleContext.getService(awaitActiveMQServer());
    Bundle bridge = bundle(ARTEMIS_BRIDGE_BSN).orElseThrow();
    updateConfiguration(TRANSPORT_PID, Map.of("bridge", "any"));
    try {
      bridge.stop();
      awaitTransport(t -> "in-memory".equals(t.bridgeName()) && t.boundAddress() != null);
      assertThat(server.isActive()).isTrue();
      assertThat(bundleContext.getServiceReference(ACTIVEMQ_SERVER)).isNotNull();
      // MQTT still works, on the in-memory bridge.
      MessageRecorder recorder = new MessageRecorder();
      MqttClient subscriber = connect(clientId("fallback"), true, recorder);
      String topic = uniqueTopic("fallback");
      subscriber.subscribe(topic, 1);
      connect(clientId("pub"), true, null).publish(topic,
          "still here".getBytes(StandardCharsets.UTF_8), 1, false);
      await().atMost(TIMEOUT).until(() -> recorder.payloads().contains("still here"));
    } finally {
      bridge.start();
      removeConfigurationKeys(TRANSPORT_PID, "bridge");
    }
    awaitArtemisTransport();
  }
}
