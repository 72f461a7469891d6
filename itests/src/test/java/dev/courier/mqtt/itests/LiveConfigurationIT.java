package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.api.MqttTransport;
import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.Hashtable;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * Configuration changes through ConfigurationAdmin while Karaf runs: the listener moves to the new
 * port (the MqttTransport service follows), and can be switched off and on. Each test reads the port the transport is bound to now, so
 * the tests do not depend on their order.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LiveConfigurationIT extends CourierKarafTestSupport {

  @Test
  public void whenPortIsChangedInConfigAdmin_thenListenerMovesToTheNewPort() throws Exception {
    MqttTransport before = awaitTransport(t -> t.boundAddress() != null);
    int oldPort = before.boundAddress().getPort();
    MqttClient onOldPort = client(clientId("old"), oldPort);
    onOldPort.connect(options(true));
    assertThat(onOldPort.isConnected()).isTrue();

    int newPort = freePort();
    updateTransportConfiguration("port", newPort);

    MqttTransport after = awaitTransport(t -> t.boundAddress().getPort() == newPort);
    assertThat(after.boundAddress().getPort()).isEqualTo(newPort);
    await()
        .atMost(TIMEOUT)
        .until(() -> transportReferences().stream()
            .anyMatch(ref -> Integer.valueOf(newPort).equals(ref.getProperty(MqttTransport.PORT_PROPERTY))));

    // The new port serves MQTT ...
    MqttClient onNewPort = client(clientId("new"), newPort);
    onNewPort.connect(options(true));
    assertThat(onNewPort.isConnected()).isTrue();
    await().atMost(TIMEOUT).until(() -> after.connectedClients() >= 1);

    // ... and the old one takes no new connections (a connection accepted before the change may
    // stay open: the rebind moves the listener, it does not close established connections).
    await().atMost(TIMEOUT).until(() -> !acceptsTcp(oldPort));
    MqttClient lateOnOldPort = client(clientId("late"), oldPort);
    assertThatThrownBy(() -> lateOnOldPort.connect(options(true))).isInstanceOf(MqttException.class);
  }

  @Test
  public void whenDisabledAndEnabledAgain_thenServiceAndListenerGoAndReturn() throws Exception {
    MqttTransport running = awaitTransport(t -> t.boundAddress() != null);
    int port = running.boundAddress().getPort();

    updateTransportConfiguration("enabled", false);
    await().atMost(TIMEOUT).until(() -> currentTransport().isEmpty());
    await().atMost(TIMEOUT).until(() -> !acceptsTcp(port));

    updateTransportConfiguration("enabled", true);
    MqttTransport back = awaitTransport(t -> t.boundAddress() != null && t.boundAddress().getPort() == port);
    MqttClient client = client(clientId("back"), port);
    client.connect(options(true));
    await().atMost(TIMEOUT).until(() -> back.connectedClients() >= 1);
  }

  @Test
  public void whenWebSocketPortIsSet_thenAClientOverWebSocketAndOneOverTcpExchangeMessages()
      throws Exception {
    MqttTransport running = awaitTransport(t -> t.boundAddress() != null);
    int port = running.boundAddress().getPort();
    int websocketPort = freePort();
    updateTransportConfiguration("websocketPort", websocketPort);
    await().atMost(TIMEOUT).until(() -> acceptsTcp(websocketPort));

    String topic = uniqueTopic("ws");
    MessageRecorder overWebSocket = new MessageRecorder();
    MqttClient web = clientFor("ws://127.0.0.1:" + websocketPort + "/mqtt", clientId("web"));
    web.setCallback(overWebSocket);
    web.connect(options(true));
    web.subscribe(topic + "/#", 1);
    MessageRecorder overTcp = new MessageRecorder();
    MqttClient tcp = client(clientId("tcp"), port);
    tcp.setCallback(overTcp);
    tcp.connect(options(true));
    tcp.subscribe(topic + "/#", 1);

    tcp.publish(topic + "/from-tcp", "to the browser".getBytes(StandardCharsets.UTF_8), 1, false);
    web.publish(topic + "/from-ws", "from the browser".getBytes(StandardCharsets.UTF_8), 1, false);

    await().atMost(TIMEOUT).until(() -> overWebSocket.payloads().size() == 2
        && overTcp.payloads().size() == 2);
    assertThat(overWebSocket.payloads()).containsExactlyInAnyOrder("to the browser",
        "from the browser");
    assertThat(overTcp.messages()).allSatisfy(m -> assertThat(m.qos()).isEqualTo(1));

    updateTransportConfiguration("websocketPort", -1);
    await().atMost(TIMEOUT).until(() -> !acceptsTcp(websocketPort));
  }

  /** Sets one key of the transport's configuration, keeping the others. */
  private void updateTransportConfiguration(String key, Object value) throws Exception {
    Configuration configuration = configurationAdmin.getConfiguration(TRANSPORT_PID, null);
    Dictionary<String, Object> properties = configuration.getProperties();
    if (properties == null) {
      properties = new Hashtable<>();
    }
    properties.put(key, value);
    configuration.update(properties);
  }
}
