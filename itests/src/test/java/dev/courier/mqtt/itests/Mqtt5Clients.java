package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Paho MQTT 5.0 clients for the tests of one class: made on the test port, closed by {@link
 * #closeAll()} after each test.
 */
final class Mqtt5Clients {

  private final IntSupplier port;
  private final Duration timeout;
  private final List<MqttAsyncClient> clients = new ArrayList<>();

  Mqtt5Clients(IntSupplier port, Duration timeout) {
    this.port = port;
    this.timeout = timeout;
  }

  /** Connect options for 5.0: short timeouts, no automatic reconnect. */
  static MqttConnectionOptions options(boolean cleanStart, long sessionExpirySeconds) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    options.setSessionExpiryInterval(sessionExpirySeconds);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    options.setAutomaticReconnect(false);
    return options;
  }

  /** A client (not yet connected) to the test port, closed after the test. */
  MqttAsyncClient client(String clientId, Mqtt5Recorder recorder) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port.getAsInt(), clientId,
        new MemoryPersistence());
    if (recorder != null) {
      client.setCallback(recorder);
    }
    clients.add(client);
    return client;
  }

  /** A connected client. */
  MqttAsyncClient connect(String clientId, MqttConnectionOptions options, Mqtt5Recorder recorder)
      throws MqttException {
    MqttAsyncClient client = client(clientId, recorder);
    complete(client.connect(options));
    return client;
  }

  /** Waits for a token, at most the timeout. */
  void complete(IMqttToken token) throws MqttException {
    token.waitForCompletion(timeout.toMillis());
  }

  /** Subscribes and checks that the server granted every filter (reason codes below 0x80). */
  void subscribe(MqttAsyncClient client, MqttProperties properties,
      MqttSubscription... subscriptions) throws MqttException {
    IMqttToken token = client.subscribe(subscriptions, null, null, properties);
    complete(token);
    for (int reasonCode : token.getReasonCodes()) {
      assertThat(reasonCode).as("SUBACK reason code").isLessThan(0x80);
    }
  }

  /**
   * Leaves a persistent session behind: connects {@code clientId} with {@code expirySeconds},
   * subscribes to {@code topic} at QoS 1 and disconnects normally.
   */
  void leaveSession(String clientId, long expirySeconds, String topic) throws MqttException {
    MqttAsyncClient client = connect(clientId, options(false, expirySeconds), null);
    subscribe(client, new MqttProperties(), new MqttSubscription(topic, 1));
    complete(client.disconnect());
  }

  /** Comes back as {@code clientId} on a new client object; returns the completed CONNECT. */
  IMqttToken comeBack(String clientId, MqttConnectionOptions options, Mqtt5Recorder recorder)
      throws MqttException {
    IMqttToken connected = client(clientId, recorder).connect(options);
    complete(connected);
    return connected;
  }

  /** Ends the session of {@code clientId} now (a clean start), rather than leaving it to expire. */
  void endSession(String clientId) throws MqttException {
    complete(client(clientId, null).connect(options(true, 0)));
  }

  /** A QoS 1 message with a text payload. */
  static MqttMessage qos1(String payload) {
    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    return message;
  }

  /** Closes every client made since the last call, without DISCONNECT where still connected. */
  void closeAll() {
    for (MqttAsyncClient client : clients) {
      try {
        if (client.isConnected()) {
          client.disconnectForcibly(0, 1000, false);
        }
        client.close(true);
      } catch (MqttException ignored) {
        // best effort: the test's outcome is already decided
      }
    }
    clients.clear();
  }
}
