package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Topic authorization ({@code authorization=REQUIRED}) with rules by role, user name ({@code %u}) and
 * client id ({@code %c}), written to {@code etc/dev.courier.mqtt.auth.cfg} before boot. A refused
 * SUBSCRIBE filter is granted 0x80; a refused PUBLISH is acknowledged but reaches nobody; {@code
 * $SYS/#} is open to the admin role only; deny wins over allow.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthorizationIT extends CourierSecurityTestSupport {

  /** SUBACK return code "failure" [MQTT-3.9.3]. */
  private static final int REFUSED = 0x80;

  @Override
  protected Map<String, String> authConfigurationAtBoot() {
    return Map.of(
        "authentication", "REQUIRED",
        "authorization", "REQUIRED",
        // alice (role sensors) publishes readings, bob (role readers) reads them
        "rule.sensors", "allow role:sensors publish plant/+/temperature",
        "rule.readers", "allow role:readers subscribe plant/+/temperature",
        "rule.home", "allow any both home/%u/#",
        "rule.clients", "allow any both clients/%c/#",
        "rule.test", "allow any both test/#",
        "rule.nosubscribe", "deny any subscribe test/nosubscribe");
  }

  @Before
  public void rulesAreInForce() throws Exception {
    awaitTransportOnTestPort();
    MqttClient probe = connectAs("probe", "alice", PASSWORD, null);
    await("authorization rules in force")
        .atMost(TIMEOUT)
        .until(() -> granted(probe, "test/nosubscribe") == REFUSED);
    probe.disconnect();
  }

  @Test
  public void whenRoleMayOnlyPublish_thenItsSubscribeIsRefusedAndTheReaderGetsItsMessages() throws Exception {
    String topic = "plant/" + uniqueTopic("line").replace('/', '-') + "/temperature";
    MessageRecorder bobReceives = new MessageRecorder();
    MqttClient bob = connectAs("bob", "bob", PASSWORD, bobReceives);
    MqttClient alice = connectAs("alice", "alice", PASSWORD, new MessageRecorder());

    assertThat(granted(bob, topic)).isEqualTo(1);
    assertThat(granted(alice, topic)).as("alice may not subscribe").isEqualTo(REFUSED);

    alice.publish(topic, "21.5".getBytes(), 1, false);
    await().atMost(TIMEOUT).until(() -> bobReceives.payloads().contains("21.5"));
  }

  @Test
  public void whenRoleMayOnlySubscribe_thenItsPublishIsAcknowledgedButNotDelivered() throws Exception {
    String topic = "plant/" + uniqueTopic("line").replace('/', '-') + "/temperature";
    MessageRecorder bobReceives = new MessageRecorder();
    MqttClient bob = connectAs("bob", "bob", PASSWORD, bobReceives);
    assertThat(granted(bob, topic)).isEqualTo(1);

    // QoS 1: the PUBACK still comes [MQTT 3.1.1 section 3.3.5], so publish() returns normally ...
    bob.publish(topic, "forged".getBytes(), 1, false);
    // ... and nothing is delivered, not even to bob's own permitted subscription
    MqttClient alice = connectAs("alice", "alice", PASSWORD, null);
    alice.publish(topic, "genuine".getBytes(), 1, false);
    await().atMost(TIMEOUT).until(() -> bobReceives.payloads().contains("genuine"));
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> bobReceives.payloads().size() == 1);
    assertThat(bobReceives.payloads()).containsExactly("genuine");
  }

  @Test
  public void whenRuleUsesUserName_thenEachUserHasOnlyItsOwnTree() throws Exception {
    MessageRecorder aliceReceives = new MessageRecorder();
    MqttClient alice = connectAs("alice", "alice", PASSWORD, aliceReceives);
    MqttClient bob = connectAs("bob", "bob", PASSWORD, null);

    assertThat(granted(alice, "home/alice/#")).isEqualTo(1);
    assertThat(granted(alice, "home/bob/#")).isEqualTo(REFUSED);
    assertThat(granted(alice, "home/+/#")).as("a wildcard over other users").isEqualTo(REFUSED);

    bob.publish("home/alice/door", "bob-was-here".getBytes(), 1, false);
    alice.publish("home/alice/door", "open".getBytes(), 1, false);
    await().atMost(TIMEOUT).until(() -> aliceReceives.payloads().contains("open"));
    await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> aliceReceives.payloads().size() == 1);
    assertThat(aliceReceives.payloads()).containsExactly("open");
  }

  @Test
  public void whenRuleUsesClientId_thenEachClientHasOnlyItsOwnTree() throws Exception {
    MessageRecorder receives = new MessageRecorder();
    MqttClient alice = connectAs("cid", "alice", PASSWORD, receives);
    String own = "clients/" + alice.getClientId();

    assertThat(granted(alice, own + "/#")).isEqualTo(1);
    assertThat(granted(alice, "clients/someone-else/#")).isEqualTo(REFUSED);
    alice.publish(own + "/status", "online".getBytes(), 1, false);
    await().atMost(TIMEOUT).until(() -> receives.payloads().contains("online"));
  }

  @Test
  public void whenDenyAndAllowBothMatch_thenDenyWins() throws Exception {
    MqttClient alice = connectAs("deny", "alice", PASSWORD, null);
    int[] granted =
        alice.subscribeWithResponse(new String[] {"test/allowed", "test/nosubscribe"}, new int[] {1, 1})
            .getGrantedQos();
    assertThat(granted).containsExactly(1, REFUSED);
  }

  @Test
  public void whenSysIsSubscribed_thenOnlyTheAdminRoleIsGrantedIt() throws Exception {
    MqttClient admin = connectAs("admin", "admin", PASSWORD, null);
    MqttClient alice = connectAs("alice", "alice", PASSWORD, null);
    assertThat(granted(admin, "$SYS/#")).isNotEqualTo(REFUSED);
    assertThat(granted(alice, "$SYS/#")).isEqualTo(REFUSED);
  }

  /** The SUBACK return code for one filter at QoS 1 (Paho's plain subscribe throws on 0x80). */
  private static int granted(MqttClient client, String filter) throws Exception {
    return client.subscribeWithResponse(filter, 1).getGrantedQos()[0];
  }
}
