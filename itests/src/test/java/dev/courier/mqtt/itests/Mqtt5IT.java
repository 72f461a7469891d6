package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
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
 * message properties end to end, 3.1.1/5.0 interop, Session Expiry across a reconnect,
 * No Local, and a shared subscription split between two members.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Mqtt5IT extends CourierKarafTestSupport {

  private final Mqtt5Clients mqtt5 = new Mqtt5Clients(this::mqttPort, TIMEOUT);

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
    mqtt5.closeAll();
  }

  @Test
  public void whenA5ClientPublishesWithProperties_thenA5SubscriberGetsThemWithItsSubscriptionId()
      throws Exception {
    String topic = uniqueTopic("props");
    Mqtt5Recorder recorder = new Mqtt5Recorder();
    MqttAsyncClient subscriber =
        mqtt5.connect(clientId("sub5"), Mqtt5Clients.options(true, 0), recorder);
    MqttProperties subscribeProperties = new MqttProperties();
    subscribeProperties.setSubscriptionIdentifier(42);
    mqtt5.subscribe(subscriber, subscribeProperties, new MqttSubscription(topic, 1));

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
    MqttAsyncClient publisher =
        mqtt5.connect(clientId("pub5"), Mqtt5Clients.options(true, 0), null);
    mqtt5.complete(publisher.publish(topic, message));

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
    MqttAsyncClient client5 =
        mqtt5.connect(clientId("v5"), Mqtt5Clients.options(true, 0), recorder5);
    mqtt5.subscribe(client5, new MqttProperties(), new MqttSubscription(topic + "/to5", 1));

    mqtt5.complete(client5.publish(topic + "/to3", Mqtt5Clients.qos1("from 5")));
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
    mqtt5.leaveSession(id, 3600, topic);

    MqttAsyncClient publisher =
        mqtt5.connect(clientId("pub5"), Mqtt5Clients.options(true, 0), null);
    mqtt5.complete(publisher.publish(topic, Mqtt5Clients.qos1("while away")));

    Mqtt5Recorder recorder = new Mqtt5Recorder();
    IMqttToken connected = mqtt5.comeBack(id, Mqtt5Clients.options(false, 3600), recorder);
    assertThat(connected.getSessionPresent()).isTrue();
    await().atMost(TIMEOUT).until(() -> !recorder.messages().isEmpty());
    assertThat(recorder.payloads()).containsExactly("while away");
    assertThat(recorder.messages().get(0).qos()).isEqualTo(1);
    // End the session now rather than leaving it to expire in an hour.
    mqtt5.endSession(id);
  }

  @Test
  public void whenSubscribedWithNoLocal_thenItsOwnPublicationIsNotDeliveredButAnothersIs()
      throws Exception {
    String topic = uniqueTopic("nolocal");
    Mqtt5Recorder ownRecorder = new Mqtt5Recorder();
    MqttAsyncClient own =
        mqtt5.connect(clientId("own5"), Mqtt5Clients.options(true, 0), ownRecorder);
    MqttSubscription noLocal = new MqttSubscription(topic, 1);
    noLocal.setNoLocal(true);
    mqtt5.subscribe(own, new MqttProperties(), noLocal);
    Mqtt5Recorder otherRecorder = new Mqtt5Recorder();
    MqttAsyncClient other =
        mqtt5.connect(clientId("other5"), Mqtt5Clients.options(true, 0), otherRecorder);
    mqtt5.subscribe(other, new MqttProperties(), new MqttSubscription(topic, 1));

    mqtt5.complete(own.publish(topic, Mqtt5Clients.qos1("own")));
    mqtt5.complete(other.publish(topic, Mqtt5Clients.qos1("other")));

    await().atMost(TIMEOUT).until(() -> otherRecorder.payloads().size() >= 2
        && !ownRecorder.messages().isEmpty());
    assertThat(otherRecorder.payloads()).containsExactlyInAnyOrder("own", "other");
    // Nothing more reaches the No Local subscriber: its own message never comes.
    await().during(QUIET).atMost(QUIET.multipliedBy(3))
        .until(() -> ownRecorder.messages().size() == 1);
    assertThat(ownRecorder.payloads()).containsExactly("other");
  }

  @Test
  public void whenTwoMembersShare_thenEachMessageGoesToOne_andWhatADroppedOneHeldToTheOther()
      throws Exception {
    String topic = uniqueTopic("work");
    String shared = "$share/workers/" + topic;
    // Member a never acknowledges: what it was given stays in flight until its session ends.
    Mqtt5Recorder aRecorder = new Mqtt5Recorder();
    MqttAsyncClient a = mqtt5.client(clientId("member-a"), aRecorder);
    a.setManualAcks(true);
    mqtt5.complete(a.connect(Mqtt5Clients.options(true, 0)));
    mqtt5.subscribe(a, new MqttProperties(), new MqttSubscription(shared, 1));
    Mqtt5Recorder bRecorder = new Mqtt5Recorder();
    MqttAsyncClient b = mqtt5.connect(clientId("member-b"), Mqtt5Clients.options(true, 0),
        bRecorder);
    mqtt5.subscribe(b, new MqttProperties(), new MqttSubscription(shared, 1));

    MqttAsyncClient publisher =
        mqtt5.connect(clientId("pub5"), Mqtt5Clients.options(true, 0), null);
    List<String> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sent.add("job-" + i);
      mqtt5.complete(publisher.publish(topic, Mqtt5Clients.qos1("job-" + i)));
    }
    await().atMost(TIMEOUT).until(
        () -> aRecorder.messages().size() + bRecorder.messages().size() >= sent.size());
    // Split between the members, each message to one of them.
    assertThat(aRecorder.payloads()).isNotEmpty();
    assertThat(bRecorder.payloads()).isNotEmpty();
    List<String> split = new java.util.ArrayList<>(aRecorder.payloads());
    split.addAll(bRecorder.payloads());
    assertThat(split).containsExactlyInAnyOrderElementsOf(sent);

    // a goes away without acknowledging (its session ends with it): b gets what a held.
    a.disconnectForcibly(0, 1000, false);
    await().atMost(TIMEOUT).until(() -> bRecorder.payloads().containsAll(sent));
    assertThat(bRecorder.payloads()).doesNotHaveDuplicates();
  }
}
