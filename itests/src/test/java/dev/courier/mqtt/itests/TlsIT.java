package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.util.Dictionary;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The TLS listener of the transport ({@code ssl*} keys of {@code dev.courier.mqtt.transport}), with
 * key stores made by {@link TestKeystores} before boot: MQTT over TLS on the SSL port beside the plain
 * port, with and without a client certificate, and {@code sslClientAuth=REQUIRED} refusing a client
 * without a (trusted) certificate. Each test applies the client-certificate mode it needs on a fresh
 * SSL port and waits for the {@code mqtt.sslPort} service property to show it bound.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TlsIT extends CourierKarafTestSupport {

  /** The service property the transport shows while the TLS listener is bound. */
  static final String SSL_PORT_PROPERTY = "mqtt.sslPort";

  @Override
  protected Option[] extraOptions(int mqttPort) {
    return TestKeystores.transportTlsOptions(freePort(), "OPTIONAL");
  }

  @Test
  public void whenKeystoreIsConfigured_thenTlsListenerRunsBesideThePlainOne() throws Exception {
    int sslPort = applyTls(Map.of("sslClientAuth", "NONE"));
    MessageRecorder recorder = new MessageRecorder();
    MqttClient plain = connectedClient("plain", recorder);
    String topic = uniqueTopic("tls");
    plain.subscribe(topic, 1);

    MqttClient secure = tlsClient("tls", sslPort);
    secure.connect(TestKeystores.tlsOptions(options(true), null));
    assertThat(secure.isConnected()).isTrue();
    secure.publish(topic, "over-tls".getBytes(), 1, false);
    await().atMost(TIMEOUT).until(() -> recorder.payloads().contains("over-tls"));
  }

  @Test
  public void whenClientAuthOptional_thenClientsWithAndWithoutCertificateConnect() throws Exception {
    int sslPort = applyTls(Map.of("sslClientAuth", "OPTIONAL"));
    MqttClient without = tlsClient("nocert", sslPort);
    without.connect(TestKeystores.tlsOptions(options(true), null));
    assertThat(without.isConnected()).isTrue();

    MqttClient with = tlsClient("cert", sslPort);
    with.connect(TestKeystores.tlsOptions(options(true), "alice"));
    assertThat(with.isConnected()).isTrue();
  }

  @Test
  public void whenClientAuthRequired_thenOnlyATrustedClientCertificateConnects() throws Exception {
    int sslPort = applyTls(Map.of("sslClientAuth", "REQUIRED"));
    MqttClient with = tlsClient("cert", sslPort);
    with.connect(TestKeystores.tlsOptions(options(true), "alice"));
    assertThat(with.isConnected()).isTrue();

    MqttClient without = tlsClient("nocert", sslPort);
    assertThat(catchThrowable(() -> without.connect(TestKeystores.tlsOptions(options(true), null)))).isInstanceOf(MqttException.class);
    assertThat(without.isConnected()).isFalse();

    MqttClient untrusted = tlsClient("mallory", sslPort);
    assertThat(catchThrowable(() -> untrusted.connect(TestKeystores.tlsOptions(options(true), "mallory")))).isInstanceOf(MqttException.class);
    assertThat(untrusted.isConnected()).isFalse();
  }

  @Test
  public void whenPlainMqttIsSentToTheTlsPort_thenItIsNotServed() throws Exception {
    int sslPort = applyTls(Map.of("sslClientAuth", "NONE"));
    MqttClient plainOnTlsPort = client(clientId("plain-on-tls"), sslPort);
    assertThat(catchThrowable(() -> plainOnTlsPort.connect(options(true)))).isInstanceOf(MqttException.class);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Applies TLS settings together with a fresh SSL port, and waits until the transport shows the
   * TLS listener bound there (so the settings are in force).
   *
   * @return the SSL port
   */
  protected int applyTls(Map<String, String> settings) throws Exception {
    int sslPort = freePort();
    Dictionary<String, Object> properties =
        configurationAdmin.getConfiguration(TRANSPORT_PID, null).getProperties();
    properties.put("sslPort", sslPort);
    settings.forEach(properties::put);
    configurationAdmin.getConfiguration(TRANSPORT_PID, null).update(properties);
    await("TLS listener on " + sslPort)
        .atMost(TIMEOUT)
        .until(() -> transportReferences().stream().map(ref -> ref.getProperty(SSL_PORT_PROPERTY))
            .anyMatch(port -> Integer.valueOf(sslPort).equals(port)));
    return sslPort;
  }

  /** A Paho client (not yet connected) for {@code ssl://127.0.0.1:port}, closed after the test. */
  protected MqttClient tlsClient(String prefix, int port) throws MqttException {
    return clientFor("ssl://127.0.0.1:" + port, clientId(prefix));
  }
}
