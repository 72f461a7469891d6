package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.courier.mqtt.transport.api.MqttTransport;
import java.io.FileReader;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The feature's {@code <configfile>} in a Karaf that has no transport configuration yet: it writes
 * the commented default file with every key, and Karaf's system-property override of a key in that
 * file reaches the transport.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FeatureConfigFileIT extends CourierKarafTestSupport {

  private static final String[] KEYS = {
    "enabled", "host", "port", "inboundBufferSize", "deliveryBufferSize", "maxPacketSize",
    "maxClientIdLength", "maxInflightMessages", "maxQueuedMessages", "maxKeepAliveSeconds",
    "connectTimeoutSeconds", "authTimeoutSeconds", "sslPort", "sslKeystoreType", "sslTruststoreType",
    "sslProtocols", "sslCipherSuites", "sslClientAuth", "sslUsernameFromCertificate",
    "topicAliasMaximum", "maxSessionExpirySeconds", "mqtt311SessionExpirySeconds",
  };

  @Override
  protected boolean preconfigureTransport() {
    return false;
  }

  /** The file says port 1883; the system property moves the listener to the free test port. */
  @Override
  protected Option[] extraOptions(int mqttPort) {
    return new Option[] {systemProperty(TRANSPORT_PID + ".port").value(String.valueOf(mqttPort))};
  }

  @Test
  public void whenFeatureInstallsIntoPlainKaraf_thenDefaultConfigFileWithEveryKeyIsWritten()
      throws Exception {
    Path cfg = Paths.get(System.getProperty("karaf.etc"), TRANSPORT_PID + ".cfg");
    assertThat(cfg).exists();
    Properties properties = new Properties();
    try (Reader reader = new FileReader(cfg.toFile())) {
      properties.load(reader);
    }
    assertThat(properties.stringPropertyNames()).contains(KEYS);
    assertThat(properties.getProperty("port")).isEqualTo("1883");
    assertThat(properties.getProperty("host")).isEqualTo("0.0.0.0");
    assertThat(Files.readString(cfg)).contains("# ");
  }

  @Test
  public void whenPortSystemPropertyIsSet_thenItOverridesTheShippedFile() throws Exception {
    int port = mqttPort();
    MqttTransport transport = awaitTransport(t -> t.boundAddress().getPort() == port);
    MqttClient client = client(clientId("sysprop"), port);
    client.connect(options(true));
    assertThat(client.isConnected()).isTrue();
    assertThat(transport.connectedClients()).isGreaterThanOrEqualTo(1);
  }
}
