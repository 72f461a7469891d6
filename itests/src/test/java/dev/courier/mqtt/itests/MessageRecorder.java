package dev.courier.mqtt.itests;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/**
 * A Paho callback that records what a client receives and whether its connection was lost. Safe
 * to read from the test thread while Paho's callback thread writes.
 */
public final class MessageRecorder implements MqttCallback {

  /** One received PUBLISH as the client saw it. */
  public record Received(String topic, String payload, int qos, boolean retained, boolean duplicate) {}

  private final List<Received> messages = new CopyOnWriteArrayList<>();
  private final AtomicReference<Throwable> connectionLost = new AtomicReference<>();

  @Override
  public void connectionLost(Throwable cause) {
    connectionLost.compareAndSet(null, cause == null ? new IllegalStateException("lost") : cause);
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    messages.add(
        new Received(
            topic,
            new String(message.getPayload(), StandardCharsets.UTF_8),
            message.getQos(),
            message.isRetained(),
            message.isDuplicate()));
  }

  @Override
  public void deliveryComplete(IMqttDeliveryToken token) {
    // publishers' completions are awaited through their tokens
  }

  /** Every message received so far, in arrival order. */
  public List<Received> messages() {
    return List.copyOf(messages);
  }

  /** Payloads received so far, in arrival order. */
  public List<String> payloads() {
    return messages.stream().map(Received::payload).collect(Collectors.toList());
  }

  /** Topics received so far, in arrival order. */
  public List<String> topics() {
    return messages.stream().map(Received::topic).collect(Collectors.toList());
  }

  /** Whether Paho reported the connection lost. */
  public boolean lost() {
    return connectionLost.get() != null;
  }

  /** The cause Paho gave for losing the connection, or null. */
  public Throwable lostCause() {
    return connectionLost.get();
  }
}
