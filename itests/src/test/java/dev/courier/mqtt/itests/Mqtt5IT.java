package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * MQTT 5.0 with the Paho 5.0 client in a real Karaf on the distribution's Artemis bridge: the
 * message properties end to end, 3.1.1/5.0 interop, Session Expiry across a reconnect, and No Local.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Mqtt5IT extends CourierKarafTestSupport {

  private final List<MqttAsyncClient> clients5 = new ArrayList<>();

  @Override
  protected boolean withArtemis() {
    return true;
  }

  @Before
  public void awaitBridge() {
    awaitArtemisTransport();
  }

  @After
  public void closeClients5() {
    for (MqttAsyncClient client : clients5) {
      try {
        if (client.isConnected()) {
          client.disconnectForcibly(0, 1000, false);
        }
        client.close(true);
      } catch (MqttException ignored) {
        // best effort: the test's outcome is already decided
      }
    }
    clients5.clear();
  }

  @Test
  public void whenA5ClientPublishesWithProperties_thenA5SubscriberGetsThemWithItsSubscriptionId()
      throws Exception {
    String topic = uniqueTopic("props");
    Mqtt5Recorder recorder = new Mqtt5Recorder();
    MqttAsyncClient subscriber = connect5(clientId("sub5"), options5(true, 0), recorder);
    MqttProperties subscribeProperties = new MqttProperties();
    subscribeProperties.setSubscriptionIdentifier(42);
    subscribe(subscriber, subscribeProperties, new MqttSubscription(topic, 1));

    List<UserProperty> userProperties = List.of(new UserProperty("k", "1"),
        new UserProperty("other", "x"), new UserProperty("k", "2"));
    MqttProperties sent = new MqttProperties();
    sent.setUserProperties(userProperties);
    sent.setContentType("application/json");
    sent.setResponseTopic(topic + "/reply");
    sent.setCorrelationData(new byte[] {1, 2, 3, (byte) 0xff});
    sent.setMessageExpiryInterval(300L);
    MqttMessage message = new MqttMessage("{\"v\":1}".getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    message.setProperties(sent);
    MqttAsyncClient publisher = connect5(clientId("pub5"), options5(true, 0), null);
    complete(publisher.publish(topic, message));

    await().atMost(TIMEOUT).until(() -> !recorder.messages().isEmpty());
    Mqtt5Recorder.Received received = recorder.messages().get(0);
    assertThat(received.payload()).isEqualTo("{\"v\":1}");
    assertThat(received.qos()).isEqualTo(1);
    MqttProperties got = received.properties();
    assertThat(got.getUserProperties()).containsExactlyElementsOf(userProperties);
    assertThat(got.getContentType()).isEqualTo("application/json");
    assertThat(got.getResponseTopic()).isEqualTo(topic + "/reply");
    assertThat(got.getCorrelationData()).containsExactly(1, 2, 3, (byte) 0xff);
    assertThat(got.getMessageExpiryInterval()).isBetween(1L, 300L);
    assertThat(got.getSubscriptionIdentifiers()).containsExactly(42);
  }

  @Test
  public void whenA311AndA5ClientExchangeMessages_thenEachGetsTheOthers() throws Exception {
    String topic = uniqueTopic("interop5");
    MessageRecorder recorder3 = new MessageRecorder();
    MqttClient client3 = connectedClient("v311", recorder3);
    client3.subscribe(topic + "/to3", 1);
    Mqtt5Recorder recorder5 = new Mqtt5Recorder();
    MqttAsyncClient client5 = connect5(clientId("v5"), options5(true, 0), recorder5);
    subscribe(client5, new MqttProperties(), new MqttSubscription(topic + "/to5", 1));

    complete(client5.publish(topic + "/to3", qos1("from 5")));
    client3.publish(topic + "/to5", "from 3.1.1".getBytes(StandardCharsets.UTF_8), 1, false);

    await().atMost(TIMEOUT).until(() -> !recorder3.messages().isEmpty()
        && !recorder5.messages().isEmpty());
    assertThat(recorder3.messages().get(0).payload()).isEqualTo("from 5");
    assertThat(recorder3.messages().get(0).qos()).isEqualTo(1);
    assertThat(recorder5.messages().get(0).payload()).isEqualTo("from 3.1.1");
    assertThat(recorder5.messages().get(0).qos()).isEqualTo(1);
    assertThat(recorder5.messages().get(0).topic()).isEqualTo(topic + "/to5");
  }

  @Test
  public void whenASessionWithExpiryReconnects_thenItIsPresentAndGetsWhatWasPublishedMeanwhile()
      throws Exception {
    String topic = uniqueTopic("expiry");
    String id = clientId("away5");
    MqttAsyncClient away = connect5(id, options5(false, 3600), null);
    subscribe(away, new MqttProperties(), new MqttSubscription(topic, 1));
    complete(away.disconnect());

    MqttAsyncClient publisher = connect5(clientId("pub5"), options5(true, 0), null);
    complete(publisher.publish(topic, qos1("while away")));

    Mqtt5Recorder recorder = new Mqtt5Recorder();
    MqttAsyncClient back = client5(id, recorder);
    IMqttToken connected = back.connect(options5(false, 3600));
    complete(connected);
    assertThat(connected.getSessionPresent()).isTrue();
    await().atMost(TIMEOUT).until(() -> !recorder.messages().isEmpty());
    assertThat(recorder.payloads()).containsExactly("while away");
    assertThat(recorder.messages().get(0).qos()).isEqualTo(1);
    // End the session now rather than leaving it to expire in an hour.
    complete(back.disconnect());
    complete(client5(id, null).connect(options5(true, 0)));
  }

  @Test
  public void whenSubscribedWithNoLocal_thenItsOwnPublicationIsNotDeliveredButAnothersIs()
      throws Exception {
    String topic = uniqueTopic("nolocal");
    Mqtt5Recorder ownRecorder = new Mqtt5Recorder();
    MqttAsyncClient own = connect5(clientId("own5"), options5(true, 0), ownRecorder);
    MqttSubscription noLocal = new MqttSubscription(topic, 1);
    noLocal.setNoLocal(true);
    subscribe(own, new MqttProperties(), noLocal);
    Mqtt5Recorder otherRecorder = new Mqtt5Recorder();
    MqttAsyncClient other = connect5(clientId("other5"), options5(true, 0), otherRecorder);
    subscribe(other, new MqttProperties(), new MqttSubscription(topic, 1));

    complete(own.publish(topic, qos1("own")));
    complete(other.publish(topic, qos1("other")));

    await().atMost(TIMEOUT).until(() -> otherRecorder.payloads().size() >= 2
        && !ownRecorder.messages().isEmpty());
    assertThat(otherRecorder.payloads()).containsExactlyInAnyOrder("own", "other");
    // Nothing more reaches the No Local subscriber: its own message never comes.
    await().during(QUIET).atMost(QUIET.multipliedBy(3))
        .until(() -> ownRecorder.messages().size() == 1);
    assertThat(ownRecorder.payloads()).containsExactly("other");
  }

  // ---------------------------------------------------------------- MQTT 5.0 client helpers

  /** Connect options for 5.0: short timeouts, no automatic reconnect. */
  private static MqttConnectionOptions options5(boolean cleanStart, long sessionExpirySeconds) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    options.setSessionExpiryInterval(sessionExpirySeconds);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    options.setAutomaticReconnect(false);
    return options;
  }

  /** A Paho 5.0 client (not yet connected) to the test port, closed after the test. */
  private MqttAsyncClient client5(String clientId, Mqtt5Recorder recorder) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + mqttPort(), clientId,
        new MemoryPersistence());
    if (recorder != null) {
      client.setCallback(recorder);
    }
    clients5.add(client);
    return client;
  }

  private MqttAsyncClient connect5(String clientId, MqttConnectionOptions options,
      Mqtt5Recorder recorder) throws MqttException {
    MqttAsyncClient client = client5(clientId, recorder);
    complete(client.connect(options));
    return client;
  }

  private static void complete(IMqttToken token) throws MqttException {
    token.waitForCompletion(TIMEOUT.toMillis());
  }

  /** Subscribes and checks that the server granted every filter (SUBACK reason codes below 0x80). */
  private static void subscribe(MqttAsyncClient client, MqttProperties properties,
      MqttSubscription... subscriptions) throws MqttException {
    IMqttToken token = client.subscribe(subscriptions, null, null, properties);
    complete(token);
    for (int reasonCode : token.getReasonCodes()) {
      assertThat(reasonCode).as("SUBACK reason code").isLessThan(0x80);
    }
  }

  private static MqttMessage qos1(String payload) {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    return message;
  }
}
