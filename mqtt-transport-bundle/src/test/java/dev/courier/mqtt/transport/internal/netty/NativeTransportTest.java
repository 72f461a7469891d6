package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.courier.mqtt.transport.internal.config.TransportConfig;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * The listeners run on epoll where it loads (Linux x86_64 here, whose native library the tests
 * have, as the distribution does), on NIO otherwise or when told so, and serve MQTT on either.
 */
class NativeTransportTest {

  private static boolean linuxX86() {
    return System.getProperty("os.name").toLowerCase().contains("linux")
        && System.getProperty("os.arch").matches("amd64|x86_64");
  }

  @Test
  void onLinuxX86_thenEpollIsDetected_unlessThePropertySaysFalse() {
    assumeTrue(linuxX86(), "epoll's native library is there for Linux x86_64 only");
    assertThat(NativeTransport.detect().name()).isEqualTo("epoll");
    String before = System.getProperty(NativeTransport.PROPERTY);
    System.setProperty(NativeTransport.PROPERTY, "false");
    try {
      assertThat(NativeTransport.detect().name()).isEqualTo("nio");
    } finally {
      if (before == null) {
        System.clearProperty(NativeTransport.PROPERTY);
      } else {
        System.setProperty(NativeTransport.PROPERTY, before);
      }
    }
  }

  @Test
  void onEpoll_thenAClientPublishesAndReceives() throws Exception {
    assumeTrue(NativeTransport.detect().epoll(), "no epoll here");
    roundTrip(NativeTransport.detect(), "epoll");
  }

  @Test
  void onNio_thenAClientPublishesAndReceives() throws Exception {
    roundTrip(NativeTransport.nio(), "nio");
  }

  private static void roundTrip(NativeTransport kind, String name) throws Exception {
    TransportConfig config = RunningTransport.withPort(TransportConfig.defaults(), 0);
    try (RunningTransport running = new RunningTransport(config, new NettyTransport(kind))) {
      assertThat(running.transport.transportName()).isEqualTo(name);
      MqttClient client = new MqttClient(running.uri(), "native-" + name, new MemoryPersistence());
      try {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        client.connect(options);
        BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
        client.subscribe("native/" + name, 1, (topic, message) ->
            received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
        client.publish("native/" + name, ("over " + name).getBytes(StandardCharsets.UTF_8), 1,
            false);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("over " + name);
      } finally {
        RunningTransport.closeClients(java.util.List.of(client));
      }
    }
  }
}
