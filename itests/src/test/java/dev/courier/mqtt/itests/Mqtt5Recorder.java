package dev.courier.mqtt.itests;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The MQTT 5.0 counterpart of {@link MessageRecorder}: records what a Paho 5.0 client receives,
 * with each message's properties. Safe to read from the test thread while Paho's callback thread
 * writes.
 */
public final class Mqtt5Recorder implements MqttCallback {

  /** One received PUBLISH as the client saw it. */
  public record Received(String topic, String payload, int qos, MqttProperties properties) {}

  private final List<Received> messages = new CopyOnWriteArrayList<>();

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    messages.add(
        new Received(
            topic,
            new String(message.getPayload(), StandardCharsets.UTF_8),
            message.getQos(),
            message.getProperties()));
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {
    // the tests look at what arrived, not at how the connection ended
  }

  @Override
  public void mqttErrorOccurred(MqttException exception) {
    // surfaces through the tokens the tests wait on
  }

  @Override
  public void deliveryComplete(IMqttToken token) {
    // publishers' completions are awaited through their tokens
  }

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {
    // connections are awaited through their tokens
  }

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {
    // no enhanced authentication in these tests
  }

  /** Every message received so far, in arrival order. */
  public List<Received> messages() {
    return List.copyOf(messages);
  }

  /** Payloads received so far, in arrival order. */
  public List<String> payloads() {
    return messages.stream().map(Received::payload).collect(Collectors.toList());
  }
}
