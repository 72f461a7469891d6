package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.bridge.BridgeSession;
import dev.courier.mqtt.transport.spi.bridge.Delivery;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties;
import dev.courier.mqtt.transport.spi.bridge.MessageProperties.UserProperty;
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

/**
 * JMS clients of the same broker see MQTT publications, and MQTT subscribers see theirs, with the
 * MQTT 5.0 properties mapped as {@link MessagePropertiesMapping} says.
 */
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

  /** Attaches a sink to the session and subscribes it to {@code filter}. */
  private static RecordingSink subscribed(BridgeSession session, String filter, int qos)
      throws Exception {
    RecordingSink sink = new RecordingSink(session);
    session.attach(sink);
    await(session.subscribe(List.of(new SubscriptionRequest(filter, qos))));
    return sink;
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
    RecordingSink sink = subscribed(subscriber, "orders/#", 2);

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
  void whenATransactedJmsSendRollsBack_thenACleanMqttSubscriberGetsOnlyTheCommittedOne()
      throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = subscribed(subscriber, "tx/+", 1);
    Session session = jms.createSession(true, Session.SESSION_TRANSACTED);
    MessageProducer producer = session.createProducer(session.createTopic("tx.a"));

    producer.send(session.createTextMessage("rolled back"));
    assertThat(subscriber.poll()).as("nothing before the commit").isNull();
    session.rollback();
    producer.send(session.createTextMessage("committed"));
    session.commit();

    assertThat(sink.take(1, true)).extracting(d -> new String(d.payload(),
        StandardCharsets.UTF_8)).containsExactly("committed");
    assertThat(subscriber.poll()).isNull();
  }

  @Test
  void whenJmsSendsALargeMessage_thenACleanMqttSubscriberGetsItsWholeBody() throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = subscribed(subscriber, "big", 1);
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageProducer producer = session.createProducer(session.createTopic("big"));
    byte[] body = new byte[300 * 1024]; // above the default min-large-message-size (100 KiB)
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    BytesMessage large = session.createBytesMessage();
    large.writeBytes(body);

    producer.send(large);

    Delivery got = sink.take(1, true).get(0);
    assertThat(got.payload()).isEqualTo(body);
    assertThat(got.qos()).isEqualTo(1);
  }

  @Test
  void whenJmsSendsToAQueueOfTheSameName_thenMqttSubscribersDoNotGetIt() throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = subscribed(subscriber, "work", 1);
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    javax.jms.Queue queue = session.createQueue("work");
    MessageConsumer worker = session.createConsumer(queue);

    session.createProducer(queue).send(session.createTextMessage("for the queue"));
    session.createProducer(session.createTopic("work")).send(session.createTextMessage("topic"));

    assertThat(worker.receive(10_000)).as("the anycast queue has it").isNotNull();
    assertThat(sink.take(1, true)).extracting(d -> new String(d.payload(),
        StandardCharsets.UTF_8)).containsExactly("topic");
    assertThat(subscriber.poll()).isNull();
  }

  @Test
  void whenJmsNamesNoValidMqttTopic_thenTheAddressDecidesOrTheMessageIsDropped() throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = subscribed(subscriber, "orders/#", 1);
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

  private static final byte[] NOT_UTF8 = {(byte) 0xC3, (byte) 0x28, 0, 7};

  private static MessageProperties mqtt5Properties(byte[] correlation, long expiresAt) {
    return new MessageProperties(1, "application/json", "replies/eu.west", correlation,
        List.of(new UserProperty("region", "eu"), new UserProperty("n", "1"),
            new UserProperty("region", "west"), new UserProperty("JMSType", "spoof")),
        expiresAt);
  }

  @Test
  void whenMqtt5Publishes_thenJmsSeesReplyToCorrelationIdExpiryAndSelectableUserProperties()
      throws Exception {
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    javax.jms.Topic topic = session.createTopic("props.t");
    MessageConsumer selected = session.createConsumer(topic, "region = 'west' AND n = '1'");
    long expiresAt = System.currentTimeMillis() + 60_000;
    BridgeSession publisher = open("mqtt-pub");

    await(publisher.publish(new Publication("props/t", "{}".getBytes(StandardCharsets.UTF_8), 1,
        false, "mqtt-pub", mqtt5Properties("req-42".getBytes(StandardCharsets.UTF_8),
            expiresAt))));

    javax.jms.Message received = selected.receive(10_000);
    assertThat(received).as("selected by its user properties").isNotNull();
    assertThat(received.getJMSReplyTo()).isInstanceOf(javax.jms.Topic.class);
    assertThat(((javax.jms.Topic) received.getJMSReplyTo()).getTopicName())
        .isEqualTo("replies.eu/west");
    assertThat(received.getJMSCorrelationID()).isEqualTo("req-42");
    assertThat(received.getJMSExpiration()).isEqualTo(expiresAt);
    assertThat(received.getStringProperty(MessagePropertiesMapping.CONTENT_TYPE))
        .isEqualTo("application/json");
    assertThat(received.getIntProperty(MessagePropertiesMapping.PAYLOAD_FORMAT)).isEqualTo(1);
    assertThat(received.getJMSType()).as("a user property never sets a JMS header").isNull();
  }

  @Test
  void whenMqtt5CorrelationDataIsNotUtf8_thenJmsReadsItAsBytes() throws Exception {
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    MessageConsumer consumer = session.createConsumer(session.createTopic("props.bin"));
    await(open("mqtt-pub").publish(new Publication("props/bin", new byte[0], 0, false,
        "mqtt-pub", mqtt5Properties(NOT_UTF8, 0))));

    javax.jms.Message received = consumer.receive(10_000);
    assertThat(received.getJMSCorrelationIDAsBytes()).containsExactly(NOT_UTF8);
    assertThat(received.getJMSExpiration()).isZero();
  }

  @Test
  void whenJmsSendsWithReplyToCorrelationTtlAndProperties_thenMqttGetsThemAsMqtt5Properties()
      throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = subscribed(subscriber, "req/#", 1);
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    javax.jms.TemporaryQueue replies = session.createTemporaryQueue();
    MessageProducer producer = session.createProducer(session.createTopic("req.a"));
    producer.setTimeToLive(60_000);
    javax.jms.TextMessage request = session.createTextMessage("ping");
    request.setJMSReplyTo(replies);
    request.setJMSCorrelationID("corr-1");
    request.setStringProperty("region", "eu");
    request.setIntProperty("attempt", 2);
    request.setStringProperty(MessagePropertiesMapping.CONTENT_TYPE, "text/plain");
    long before = System.currentTimeMillis();
    producer.send(request);
    long after = System.currentTimeMillis();

    Delivery got = sink.take(1, true).get(0);
    MessageProperties properties = got.properties();
    assertThat(properties.responseTopic()).isEqualTo(TopicMapping.toTopic(replies.getQueueName()));
    assertThat(properties.correlationData()).isEqualTo("corr-1".getBytes(StandardCharsets.UTF_8));
    assertThat(properties.userProperties()).containsExactly(new UserProperty("attempt", "2"),
        new UserProperty("region", "eu"));
    assertThat(properties.contentType()).isEqualTo("text/plain");
    assertThat(properties.payloadFormat()).as("a TextMessage is UTF-8").isEqualTo(1);
    assertThat(properties.expiresAtMillis()).isBetween(before + 60_000, after + 60_000);

    // The MQTT responder answers on the Response Topic: the JMS requestor's temporary queue.
    MessageConsumer requestor = session.createConsumer(replies);
    await(open("mqtt-responder").publish(new Publication(properties.responseTopic(),
        "pong".getBytes(StandardCharsets.UTF_8), 1, false, "mqtt-responder",
        new MessageProperties(-1, null, null, properties.correlationData(), List.of(), 0))));
    javax.jms.Message reply = requestor.receive(10_000);
    assertThat(reply).as("the reply reaches the temporary queue").isNotNull();
    assertThat(reply.getJMSCorrelationID()).isEqualTo("corr-1");
  }

  @Test
  void whenJmsMessageHasNoPropertiesOrExpiry_thenMqttDeliveryHasNone() throws Exception {
    BridgeSession subscriber = open("mqtt-sub");
    RecordingSink sink = subscribed(subscriber, "plain", 0);
    Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
    session.createProducer(session.createTopic("plain")).send(session.createBytesMessage());
    assertThat(sink.take(1, true).get(0).properties()).isSameAs(MessageProperties.NONE);
  }

  private static void await(java.util.concurrent.CompletionStage<?> stage) throws Exception {
    stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
