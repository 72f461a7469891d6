package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ops4j.pax.exam.CoreOptions.environment;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.courier.mqtt.transport.api.MqttTransport;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Karaf's start-up overrides of configuration values: an environment variable named
 * {@code DEV_COURIER_MQTT_TRANSPORT_<KEY>} or a system property {@code dev.courier.mqtt.transport.<key>}
 * wins over the value in {@code etc/dev.courier.mqtt.transport.cfg}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigurationOverrideIT extends CourierKarafTestSupport {

  private static final String ENV_PORT_PROPERTY = "itest.env.port";

  /** Runs in the test driver: the container gets the variable, the probe learns the port. */
  @Override
  protected Option[] extraOptions(int mqttPort) {
    int envPort = freePort();
    return new Option[] {
      environment("DEV_COURIER_MQTT_TRANSPORT_PORT=" + envPort),
      systemProperty(ENV_PORT_PROPERTY).value(String.valueOf(envPort)),
      // Overrides apply only to keys present in the configuration: put the default in the file.
      editConfigurationFilePut("etc/" + TRANSPORT_PID + ".cfg", "maxClientIdLength", "256"),
      systemProperty(TRANSPORT_PID + ".maxClientIdLength").value("30"),
    };
  }

  @Test
  public void whenPortEnvironmentVariableIsSet_thenListenerBindsThatPortInsteadOfTheFilesPort()
      throws Exception {
    int envPort = Integer.getInteger(ENV_PORT_PROPERTY);
    MqttTransport transport = awaitTransport(t -> t.boundAddress().getPort() == envPort);
    assertThat(transport.boundAddress().getPort()).isNotEqualTo(mqttPort());

    MqttClient client = client(clientId("env"), envPort);
    client.connect(options(true));
    assertThat(client.isConnected()).isTrue();
    assertThat(acceptsTcp(mqttPort())).isFalse();
  }

  @Test
  public void whenLimitSystemPropertyIsSet_thenItOverridesTheFilesValue() throws Exception {
    int envPort = Integer.getInteger(ENV_PORT_PROPERTY);
    awaitTransport(t -> t.boundAddress().getPort() == envPort);

    MqttClient accepted = client("a".repeat(30), envPort);
    accepted.connect(options(true));
    assertThat(accepted.isConnected()).isTrue();

    // [MQTT-3.1.3-9]: CONNACK 0x02 identifier rejected for a client id beyond the limit.
    MqttClient rejected = client("b".repeat(31), envPort);
    assertThatThrownBy(() -> rejected.connect(options(true)))
        .isInstanceOfSatisfying(MqttException.class,
            e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_INVALID_CLIENT_ID));
  }
}
