package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.util.Map;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Access control fails closed: with {@code courier-mqtt-auth} installed, the transport's defaults
 * ({@code requireAuthenticator = auto}, {@code requireAuthorizer = auto}) require its services, so
 * while the auth bundle is stopped every CONNECT is refused with return code 3 (server
 * unavailable), whatever the credentials and whatever the authentication mode was; when it starts
 * again the mode applies again. With {@code requireAuthenticator = false} clients connect
 * anonymously instead, and the still required authorizer refuses their topics.
 *
 * <p>Each test starts and ends with the auth bundle active.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthFailClosedIT extends CourierSecurityTestSupport {

  /** CONNACK 0x03 (3.1.1 "server unavailable") as Paho reports it. */
  private static final int SERVER_UNAVAILABLE = MqttException.REASON_CODE_BROKER_UNAVAILABLE;

  /** What {@link #connectResult} gives for an accepted connection. */
  private static final int CONNECTED = -1;

  @Override
  protected Map<String, String> authConfigurationAtBoot() {
    return Map.of("authentication", "REQUIRED", "authorization", "NOT_REQUIRED");
  }

  @Before
  public void authBundleIsActive() throws Exception {
    assertFeatureInstalled(AUTH_FEATURE);
    await("auth bundle active").atMost(TIMEOUT)
        .until(() -> authBundle().getState() == Bundle.ACTIVE);
    awaitTransportOnTestPort();
  }

  @Test
  public void whenRequiredAndTheAuthBundleStops_thenEveryConnectIsRefusedAsServerUnavailable_untilItReturns()
      throws Exception {
    switchAuthentication("REQUIRED", BAD_CREDENTIALS);
    assertThat(connectResult("alice", PASSWORD)).as("alice before the stop").isEqualTo(CONNECTED);

    authBundle().stop();
    try {
      await("a valid user refused as server unavailable").atMost(TIMEOUT)
          .until(() -> connectResult("alice", PASSWORD) == SERVER_UNAVAILABLE);
      assertThat(connectResult(null, null)).as("anonymous").isEqualTo(SERVER_UNAVAILABLE);
      assertThat(connectResult("bob", PASSWORD)).as("bob").isEqualTo(SERVER_UNAVAILABLE);
      assertThat(connectResult("alice", "wrong")).as("wrong password").isEqualTo(SERVER_UNAVAILABLE);
      // Refused by a running listener, not by a missing one.
      assertThat(transportReferences()).hasSize(1);
    } finally {
      authBundle().start();
    }

    await("a valid user accepted again").atMost(TIMEOUT)
        .until(() -> connectResult("alice", PASSWORD) == CONNECTED);
    assertThat(connectResult(null, null)).as("anonymous under REQUIRED").isEqualTo(BAD_CREDENTIALS);
    assertRefusedAsBadCredentials("alice", "wrong");
  }

  @Test
  public void whenOptionalAndTheAuthBundleStops_thenAnonymousIsRefusedAsServerUnavailable_untilItReturns()
      throws Exception {
    switchAuthentication("OPTIONAL", CONNECTED);
    try {
      authBundle().stop();
      try {
        // The bundle is still installed, so its authenticator is required: no anonymous fallback.
        await("anonymous refused as server unavailable").atMost(TIMEOUT)
            .until(() -> connectResult(null, null) == SERVER_UNAVAILABLE);
        assertThat(connectResult("bob", PASSWORD)).as("bob").isEqualTo(SERVER_UNAVAILABLE);
      } finally {
        authBundle().start();
      }
      await("anonymous accepted again under OPTIONAL").atMost(TIMEOUT)
          .until(() -> connectResult(null, null) == CONNECTED);
      assertThat(connectResult("bob", PASSWORD)).as("bob").isEqualTo(CONNECTED);
    } finally {
      switchAuthentication("REQUIRED", BAD_CREDENTIALS);
    }
  }

  @Test
  public void whenAuthenticatorNotRequiredAndTheAuthBundleStops_thenClientsConnectButTheRequiredAuthorizerRefusesTopics()
      throws Exception {
    switchAuthentication("REQUIRED", BAD_CREDENTIALS);
    updateConfiguration(TRANSPORT_PID, Map.of("requireAuthenticator", "false"));
    try {
      authBundle().stop();
      try {
        await("anonymous accepted without an authenticator").atMost(TIMEOUT)
            .until(() -> connectResult(null, null) == CONNECTED);

        // requireAuthorizer is still auto: the installed bundle provides one, so it is required.
        MqttAsyncClient subscriber = new MqttAsyncClient("tcp://127.0.0.1:" + mqttPort(),
            clientId("sub"), new MemoryPersistence());
        try {
          subscriber.connect(options(true)).waitForCompletion(TIMEOUT.toMillis());
          String topic = uniqueTopic("closed");
          IMqttToken subscribed = subscriber.subscribe(new String[] {topic, "#"}, new int[] {1, 1});
          subscribed.waitForCompletion(TIMEOUT.toMillis());
          assertThat(subscribed.getGrantedQos()).containsExactly(0x80, 0x80);
          subscriber.disconnect().waitForCompletion(TIMEOUT.toMillis());
        } finally {
          subscriber.close(true);
        }

        MessageRecorder recorder = new MessageRecorder();
        MqttClient publisher = connectAs("pub", null, null, recorder);
        Throwable failure = catchThrowable(
            () -> publisher.publish(uniqueTopic("closed"), "x".getBytes(), 1, false));
        assertThat(failure).as("QoS 1 PUBLISH without an authorizer").isInstanceOf(MqttException.class);
        await("publisher's connection closed by the server").atMost(TIMEOUT).until(recorder::lost);
        assertThat(publisher.isConnected()).isFalse();
      } finally {
        authBundle().start();
      }
    } finally {
      removeConfigurationKeys(TRANSPORT_PID, "requireAuthenticator");
    }
    await("anonymous refused again by the returned authenticator").atMost(TIMEOUT)
        .until(() -> connectResult(null, null) == BAD_CREDENTIALS);
  }

  private Bundle authBundle() {
    return bundle(AUTH_BSN).orElseThrow();
  }

  /** Sets the authentication mode and waits until an anonymous CONNECT shows it applies. */
  private void switchAuthentication(String mode, int anonymousResult) throws Exception {
    updateAuthConfiguration(Map.of("authentication", mode));
    await("authentication " + mode + " in force").atMost(TIMEOUT)
        .until(() -> connectResult(null, null) == anonymousResult);
  }
}
