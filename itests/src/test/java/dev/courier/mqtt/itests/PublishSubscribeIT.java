package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Publish/subscribe over TCP with the Paho client: QoS 0, 1 and 2 delivery (MQTT 3.1.1 section
 * 4.3), topic wildcards (4.7) and retained messages (3.3.1.3).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PublishSubscribeIT extends CourierKarafTestSupport {

  @Test
  public void whenPublishedAtQos0_thenSubscriberReceivesIt() throws Exception {
    assertDeliveredAtQos(0);
  }

  @Test
  public void whenPublishedAtQos1_thenSubscriberReceivesItAtQos1() throws Exception {
    assertDeliveredAtQos(1);
  }

  @Test
  public void whenPublishedAtQos2_thenSubscriberReceivesItExactlyOnceAtQos2() throws Exception {
    assertDeliveredAtQos(2);
  }

  private void assertDeliveredAtQos(int qos) throws Exception {
    awaitTransportOnTestPort();
    String topic = uniqueTopic("qos" + qos);
    MessageRecorder received = new MessageRecorder();
    MqttClient subscriber = connectedClient("sub" + qos, received);
    subscriber.subscribe(topic, qos);
    MqttClient publisher = connectedClient("pub" + qos, new MessageRecorder());

    for (int i = 1; i <= 3; i++) {
      publish(publisher, topic, "m" + i, qos, false);
    }

    await().atMost(TIMEOUT).until(() -> received.messages().size() >= 3);
    // [MQTT-4.6.0-2..4]: one publisher, one topic, in order; QoS 2 must not duplicate.
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> received.messages().size() == 3);
    assertThat(received.payloads()).containsExactly("m1", "m2", "m3");
    assertThat(received.messages()).allSatisfy(m -> {
      assertThat(m.topic()).isEqualTo(topic);
      assertThat(m.qos()).isEqualTo(qos);
      assertThat(m.retained()).isFalse();
    });
  }

  @Test
  public void whenSubscribedWithLowerQos_thenDeliveryIsDowngraded() throws Exception {
    awaitTransportOnTestPort();
    String topic = uniqueTopic("downgrade");
    MessageRecorder received = new MessageRecorder();
    MqttClient subscriber = connectedClient("subdown", received);
    subscriber.subscribe(topic, 1);
    MqttClient publisher = connectedClient("pubdown", new MessageRecorder());

    publish(publisher, topic, "two", 2, false);

    await().atMost(TIMEOUT).until(() -> received.messages().size() == 1);
    assertThat(received.messages().get(0).qos()).isEqualTo(1);
  }

  @Test
  public void whenSubscribedWithSingleLevelWildcard_thenOnlyOneLevelMatches() throws Exception {
    awaitTransportOnTestPort();
    String root = uniqueTopic("plus");
    MessageRecorder received = new MessageRecorder();
    MqttClient subscriber = connectedClient("subplus", received);
    subscriber.subscribe(root + "/+/temperature", 1);
    MqttClient publisher = connectedClient("pubplus", new MessageRecorder());

    publish(publisher, root + "/kitchen/temperature", "kitchen", 1, false);
    publish(publisher, root + "/hall/temperature", "hall", 1, false);
    publish(publisher, root + "/kitchen/oven/temperature", "two-levels", 1, false);
    publish(publisher, root + "/kitchen/humidity", "other-leaf", 1, false);
    publish(publisher, root + "/temperature", "no-level", 1, false);

    awaitExactly(received, List.of("kitchen", "hall"));
    assertThat(received.topics())
        .containsExactlyInAnyOrder(root + "/kitchen/temperature", root + "/hall/temperature");
  }

  @Test
  public void whenSubscribedWithMultiLevelWildcard_thenParentAndAllDescendantsMatch() throws Exception {
    awaitTransportOnTestPort();
    String root = uniqueTopic("hash");
    MessageRecorder received = new MessageRecorder();
    MqttClient subscriber = connectedClient("subhash", received);
    subscriber.subscribe(root + "/home/#", 1);
    MqttClient publisher = connectedClient("pubhash", new MessageRecorder());

    publish(publisher, root + "/home", "parent", 1, false); // [MQTT-4.7.1-2]: # includes the parent
    publish(publisher, root + "/home/kitchen", "child", 1, false);
    publish(publisher, root + "/home/kitchen/light/1", "deep", 1, false);
    publish(publisher, root + "/homeoffice/desk", "sibling-prefix", 1, false);
    publish(publisher, root + "/garden/home", "elsewhere", 1, false);

    awaitExactly(received, List.of("parent", "child", "deep"));
  }

  @Test
  public void whenBothWildcardsCombined_thenRoutingFollowsEachLevel() throws Exception {
    awaitTransportOnTestPort();
    String root = uniqueTopic("mixed");
    MessageRecorder received = new MessageRecorder();
    MqttClient subscriber = connectedClient("submix", received);
    subscriber.subscribe(root + "/+/status/#", 1);
    MqttClient publisher = connectedClient("pubmix", new MessageRecorder());

    publish(publisher, root + "/a/status", "a", 1, false);
    publish(publisher, root + "/b/status/online", "b", 1, false);
    publish(publisher, root + "/c/d/status", "too-deep", 1, false);
    publish(publisher, root + "/status", "too-shallow", 1, false);

    awaitExactly(received, List.of("a", "b"));
  }

  @Test
  public void whenRetainedMessageSet_thenLaterSubscriberGetsItFlaggedAndEmptyPayloadClearsIt()
      throws Exception {
    awaitTransportOnTestPort();
    String topic = uniqueTopic("retained");
    MqttClient publisher = connectedClient("pubret", new MessageRecorder());

    MessageRecorder live = new MessageRecorder();
    MqttClient liveSubscriber = connectedClient("subliv", live);
    liveSubscriber.subscribe(topic, 1);

    publish(publisher, topic, "door-open", 1, true);

    // [MQTT-3.3.1-9]: to a subscription that existed already, retain is 0.
    await().atMost(TIMEOUT).until(() -> live.messages().size() == 1);
    assertThat(live.messages().get(0).retained()).isFalse();

    // [MQTT-3.3.1-6] / [MQTT-3.3.1-8]: a new subscription gets the retained message, flagged.
    MessageRecorder later = new MessageRecorder();
    MqttClient lateSubscriber = connectedClient("sublat", later);
    lateSubscriber.subscribe(topic, 1);
    await().atMost(TIMEOUT).until(() -> later.messages().size() == 1);
    MessageRecorder.Received retained = later.messages().get(0);
    assertThat(retained.payload()).isEqualTo("door-open");
    assertThat(retained.retained()).isTrue();
    assertThat(retained.topic()).isEqualTo(topic);

    // A later retained publication replaces it.
    publish(publisher, topic, "door-closed", 1, true);
    MessageRecorder third = new MessageRecorder();
    connectedClient("subthr", third).subscribe(topic, 1);
    await().atMost(TIMEOUT).until(() -> third.messages().size() == 1);
    assertThat(third.payloads()).containsExactly("door-closed");

    // [MQTT-3.3.1-10]: a retained message with an empty payload removes it.
    publish(publisher, topic, "", 1, true);
    MessageRecorder afterClear = new MessageRecorder();
    MqttClient clearedSubscriber = connectedClient("subclr", afterClear);
    clearedSubscriber.subscribe(topic, 1);
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> afterClear.messages().isEmpty());
  }

  @Test
  public void whenRetainedMessagesMatchAWildcard_thenNewSubscriberGetsEachOne() throws Exception {
    awaitTransportOnTestPort();
    String root = uniqueTopic("retwild");
    MqttClient publisher = connectedClient("pubrw", new MessageRecorder());
    publish(publisher, root + "/a", "A", 1, true);
    publish(publisher, root + "/b/c", "BC", 1, true);
    publish(publisher, root + "x/d", "outside", 1, true);

    MessageRecorder received = new MessageRecorder();
    connectedClient("subrw", received).subscribe(root + "/#", 1);

    awaitExactly(received, List.of("A", "BC"));
    assertThat(received.messages()).allSatisfy(m -> assertThat(m.retained()).isTrue());
  }

  /** Publishes and, for QoS 1 and 2, waits for the broker's acknowledgement (Paho's sync publish). */
  static void publish(MqttClient client, String topic, String payload, int qos, boolean retained)
      throws Exception {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(qos);
    message.setRetained(retained);
    client.publish(topic, message);
  }

  /** Waits for exactly these payloads (any order), then for nothing more to arrive. */
  static void awaitExactly(MessageRecorder received, List<String> payloads) {
    await().atMost(TIMEOUT).until(() -> received.messages().size() >= payloads.size());
    await()
        .during(QUIET)
        .atMost(QUIET.multipliedBy(3))
        .until(() -> received.messages().size() == payloads.size());
    assertThat(received.payloads()).containsExactlyInAnyOrderElementsOf(payloads);
  }
}
