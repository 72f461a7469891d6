package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * TLS with {@code sslClientAuth=REQUIRED} and {@code sslUsernameFromCertificate=true}, authentication
 * REQUIRED: the user name the realm checks is the CN of the client certificate (alice), whatever the
 * CONNECT says; the password is still checked (the auth bundle has no certificate-only login). The
 * {@code home/%u/#} rule shows which user the client became.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TlsCertificateLoginIT extends CourierSecurityTestSupport {

  private static final String SSL_PORT_PROPERTY = "itest.ssl.port";

  @Override
  protected Map<String, String> authConfigurationAtBoot() {
    return Map.of(
        "authentication", "REQUIRED",
        "authorization", "REQUIRED",
        "rule.home", "allow any both home/%u/#");
  }

  @Override
  protected Option[] securityOptions(int mqttPort) {
    int sslPort = freePort();
    List<Option> options = new ArrayList<>(List.of(TestKeystores.transportTlsOptions(sslPort, "REQUIRED")));
    options.add(editConfigurationFilePut("etc/" + TRANSPORT_PID + ".cfg", "sslUsernameFromCertificate", "true"));
    options.add(systemProperty(SSL_PORT_PROPERTY).value(String.valueOf(sslPort)));
    return options.toArray(new Option[0]);
  }

  @Before
  public void tlsListenerIsBound() {
    int sslPort = sslPort();
    await("TLS listener on " + sslPort)
        .atMost(TIMEOUT)
        .until(() -> transportReferences().stream()
            .anyMatch(ref -> Integer.valueOf(sslPort).equals(ref.getProperty(TlsIT.SSL_PORT_PROPERTY))));
  }

  @Test
  public void whenCertificateSaysAlice_thenTheClientIsAliceWhateverItsConnectUserName() throws Exception {
    MessageRecorder receives = new MessageRecorder();
    MqttClient client = clientFor("ssl://127.0.0.1:" + sslPort(), clientId("cn"));
    client.setCallback(receives);
    client.connect(TestKeystores.tlsOptions(options("somebody-else", PASSWORD), "alice"));
    assertThat(client.isConnected()).isTrue();

    assertThat(client.subscribeWithResponse("home/alice/#", 1).getGrantedQos()[0]).isEqualTo(1);
    assertThat(client.subscribeWithResponse("home/somebody-else/#", 1).getGrantedQos()[0]).isEqualTo(0x80);
    client.publish("home/alice/door", "open".getBytes(), 1, false);
    await().atMost(TIMEOUT).until(() -> receives.payloads().contains("open"));
  }

  @Test
  public void whenCertificateSaysAliceButThePasswordIsWrong_thenRefused() throws Exception {
    MqttClient client = clientFor("ssl://127.0.0.1:" + sslPort(), clientId("cn-bad"));
    Throwable failure =
        catchThrowable(() -> client.connect(TestKeystores.tlsOptions(options("alice", "wrong"), "alice")));
    assertThat(failure).isInstanceOf(MqttSecurityException.class);
    assertThat(((MqttException) failure).getReasonCode()).isEqualTo(BAD_CREDENTIALS);
  }

  private static int sslPort() {
    return Integer.parseInt(System.getProperty(SSL_PORT_PROPERTY));
  }
}
