package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * The in-memory bridge's side of the reserved topics, with a real client: the product's own space
 * ({@code $courier/#}) is refused to subscribers and publishers whatever the bridge, and {@code #}
 * sees only what clients published while retained messages change and subscribers come and go. (The
 * Artemis bridge's internal addresses are covered by that module's InternalTopicsTest.)
 */
class InternalTopicsTest {

  @Test
  void whenSubscribingToTheProductSpace_thenRefused_andHashSeesOnlyPublicMessages()
      throws Exception {
    try (RunningTransport server = new RunningTransport()) {
      List<String> seen = new CopyOnWriteArrayList<>();
      MqttAsyncClient spy = connect(server, "spy", seen);
      String[] filters = {"$courier/#", "$courier/retained", "$courier", "#", "activemq/#"};
      IMqttToken subscribed = spy.subscribe(filters, new int[] {1, 1, 1, 1, 1});
      subscribed.waitForCompletion(10_000);
      assertThat(subscribed.getGrantedQos()).containsExactly(0x80, 0x80, 0x80, 1, 1);

      MqttAsyncClient publisher = connect(server, "publisher", new CopyOnWriteArrayList<>());
      publisher.publish("public/r", bytes("kept"), 1, true).waitForCompletion(10_000);
      publisher.publish("$courier/retained", bytes("forged"), 1, true).waitForCompletion(10_000);
      for (int i = 0; i < 3; i++) {
        MqttAsyncClient passer = connect(server, "passer-" + i, new CopyOnWriteArrayList<>());
        passer.subscribe("public/#", 1).waitForCompletion(10_000);
        passer.disconnect().waitForCompletion(10_000);
        passer.close();
      }
      publisher.publish("public/last", bytes("end"), 1, false).waitForCompletion(10_000);

      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("public/last"));
      assertThat(seen).containsExactly("public/r", "public/last");
      assertThat(server.bridge.retainedCount()).as("the forged retained message was dropped")
          .isEqualTo(1);
      publisher.disconnect().waitForCompletion(10_000);
      spy.disconnect().waitForCompletion(10_000);
      publisher.close();
      spy.close();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static MqttAsyncClient connect(RunningTransport server, String id, List<String> topics)
      throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(server.uri(), id, new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {}

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        topics.add(topic);
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(false);
    client.connect(options).waitForCompletion(10_000);
    return client;
  }
}
