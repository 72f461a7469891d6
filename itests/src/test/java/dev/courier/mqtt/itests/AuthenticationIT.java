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
import org.osgi.framework.Bundle;

/**
 * Authentication against the Karaf JAAS realm ({@code etc/users.properties}) with the {@code
 * courier-mqtt-auth} feature: REQUIRED refuses anonymous clients and wrong passwords with CONNACK
 * 0x04 and accepts a realm user; OPTIONAL accepts anonymous clients and still refuses wrong
 * passwords; a mode switch through ConfigurationAdmin applies to the next CONNECT. Each test sets the
 * mode it needs, so the order does not matter.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthenticationIT extends CourierSecurityTestSupport {

  @Override
  protected Map<String, String> authConfigurationAtBoot() {
    return Map.of("authentication", "REQUIRED", "authorization", "NOT_REQUIRED");
  }

  @Before
  public void authBundleIsActive() throws Exception {
    assertFeatureInstalled(AUTH_FEATURE);
    assertThat(bundle(AUTH_BSN)).hasValueSatisfying(b -> assertThat(b.getState()).isEqualTo(Bundle.ACTIVE));
    awaitTransportOnTestPort();
  }

  @Test
  public void whenRequired_thenAnonymousIsRefusedWithBadCredentials() throws Exception {
    switchAuthentication("REQUIRED");
    assertRefusedAsBadCredentials(null, null);
  }

  @Test
  public void whenRequired_thenWrongPasswordAndUnknownUserAreRefused() throws Exception {
    switchAuthentication("REQUIRED");
    assertRefusedAsBadCredentials("alice", "wrong");
    assertRefusedAsBadCredentials("nobody", PASSWORD);
  }

  @Test
  public void whenRequired_thenRealmUserConnectsAndCanPublishAndSubscribe() throws Exception {
    switchAuthentication("REQUIRED");
    MessageRecorder recorder = new MessageRecorder();
    MqttClient alice = connectAs("alice", "alice", PASSWORD, recorder);
    assertThat(alice.isConnected()).isTrue();
    String topic = uniqueTopic("auth");
    alice.subscribe(topic, 1);
    alice.publish(topic, "hello".getBytes(), 1, false);
    await().atMost(TIMEOUT).until(() -> recorder.payloads().contains("hello"));
  }

  @Test
  public void whenOptional_thenAnonymousConnectsAndWrongPasswordIsRefused() throws Exception {
    switchAuthentication("OPTIONAL");
    MqttClient anonymous = connectAs("anon", null, null, null);
    assertThat(anonymous.isConnected()).isTrue();
    MqttClient bob = connectAs("bob", "bob", PASSWORD, null);
    assertThat(bob.isConnected()).isTrue();
    assertRefusedAsBadCredentials("bob", "wrong");
  }

  @Test
  public void whenModeIsSwitchedInConfigAdmin_thenTheNextConnectFollowsIt() throws Exception {
    switchAuthentication("OPTIONAL");
    MqttClient before = connectAs("before", null, null, null);

    updateAuthConfiguration(Map.of("authentication", "REQUIRED"));
    await("anonymous CONNECT refused after the switch to REQUIRED")
        .atMost(TIMEOUT)
        .until(() -> connectResult(null, null) == BAD_CREDENTIALS);
    // a connection made under the old mode is not dropped by the change
    assertThat(before.isConnected()).isTrue();

    updateAuthConfiguration(Map.of("authentication", "OPTIONAL"));
    await("anonymous CONNECT accepted after the switch back to OPTIONAL")
        .atMost(TIMEOUT)
        .until(() -> connectResult(null, null) == -1);
  }

  /** Sets the mode and waits until an anonymous CONNECT shows it applies. */
  private void switchAuthentication(String mode) throws Exception {
    updateAuthConfiguration(Map.of("authentication", mode));
    int expected = "REQUIRED".equals(mode) ? BAD_CREDENTIALS : -1;
    await("authentication " + mode + " in force").atMost(TIMEOUT).until(() -> connectResult(null, null) == expected);
  }
}
