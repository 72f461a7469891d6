package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.Publication;
import dev.courier.mqtt.transport.spi.bridge.SessionRequest;
import dev.courier.mqtt.transport.spi.bridge.SubscriptionRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JMS clients of the same broker see MQTT publications, and MQTT subscribers see theirs. */
class JmsInteropTest {

  @TempDir
  Path dir;
  private EmbeddedArtemis broker;
  private ArtemisBridge bridge;
  private Connection jms;

  @BeforeEach
  void start() throws Exception {
    broker = new EmbeddedArtemis(dir);
    bridge = broker.start();
    jms = new ActiveMQConnectionFactory("vm://0").createConnection();
    jms.start();
  }

  @AfterEach
  void stop() throws Exception {
    jms.close();
    broker.close();
  }

  private BridgeSession open(String clientId) throws Exception {
    return bridge.openSession(new SessionRequest(clientId, true, 100)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenMqttPublishes_thenJmsTopicSubscriberReceivesBytesAndMqttProperties() throws Exception {
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageConsumer consumer = session.createConsumer(session.createTopic("sensors.eu/west.temp"));
    BridgeSession publisher = open("mqtt-pub");

    publisher.publish(new Publication("sensors/eu.west/temp",
        "21.5".getBytes(StandardCharsets.UTF_8), 1, false, "mqtt-pub"))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    javax.jms.Message received = consumer.receive(10_000);
    assertThat(received).isInstanceOf(BytesMessage.class);
    BytesMessage bytes = (BytesMessage) received;
    byte[] body = new byte[(int) bytes.getBodyLength()];
    bytes.readBytes(body);
    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("21.5");
    assertThat(bytes.getStringProperty(ArtemisMessages.TOPIC)).isEqualTo("sensors/eu.west/temp");
    assertThat(bytes.getIntProperty(ArtemisMessages.QOS)).isEqualTo(1);
    assertThat(bytes.getStringProperty(ArtemisMessages.CLIENT_ID)).isEqualTo("mqtt-pub");
    assertThat(bytes.getJMSDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
  }

  @Test
  void whenJmsPublishes_thenMqttSubscriberReceivesWithQosFromPersistence() throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = new RecordingSink(subscriber);
    subscriber.attach(sink);
    subscriber.subscribe(List.of(new SubscriptionRequest("orders/#", 2)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageProducer producer = session.createProducer(session.createTopic("orders.new"));
    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
    producer.send(session.createTextMessage("order 1"));
    producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
    BytesMessage bytes = session.createBytesMessage();
    bytes.writeBytes(new byte[] {1, 2, 3});
    producer.send(bytes);

    List<Delivery> got = sink.take(2, true);
    assertThat(got).extracting(Delivery::topic).containsExactly("orders/new", "orders/new");
    assertThat(new String(got.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("order 1");
    assertThat(got.get(0).qos()).isEqualTo(1); // persistent: at least once
    assertThat(got.get(1).payload()).containsExactly(1, 2, 3);
    assertThat(got.get(1).qos()).isZero(); // non-persistent: at most once
  }

  @Test
  void whenJmsNamesNoValidMqttTopic_thenTheAddressDecidesOrTheMessageIsDropped() throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = new RecordingSink(subscriber);
    subscriber.attach(sink);
    subscriber.subscribe(List.of(new SubscriptionRequest("orders/#", 1)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageProducer producer = session.createProducer(null);
    producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);

    // A topic property no MQTT client could publish to: the message's address names the topic.
    for (String forged : List.of("orders/\uD800", "orders/#", "a".repeat(65_536))) {
      javax.jms.Message message = session.createTextMessage("forged");
      message.setStringProperty(ArtemisMessages.TOPIC, forged);
      producer.send(session.createTopic("orders.new"), message);
    }
    // An address no MQTT topic can carry [MQTT-1.5.3-1] [MQTT-4.7.3-3]: never delivered.
    producer.send(session.createTopic("orders.bad\uDC00"), session.createTextMessage("bad"));
    producer.send(session.createTopic("orders." + "b".repeat(65_530)),
        session.createTextMessage("long"));
    producer.send(session.createTopic("orders.last"), session.createTextMessage("last"));

    List<Delivery> got = sink.take(4, true);
    assertThat(got).extracting(Delivery::topic)
        .containsExactly("orders/new", "orders/new", "orders/new", "orders/last");
    assertThat(subscriber.poll()).isNull();
  }
}
