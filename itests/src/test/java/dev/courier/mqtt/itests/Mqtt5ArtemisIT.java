package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * MQTT 5.0 over the Artemis bridge in a real Karaf, where time and the journal matter: Message
 * Expiry while queued for an absent session, Will Delay, request/response between an MQTT 5.0
 * client and a JMS service (Response Topic and Correlation Data as JMSReplyTo and
 * JMSCorrelationID), and Session Expiry across a restart of the broker.
 *
 * <p>Artemis and JMS types appear only inside method bodies and never in lambdas (see {@link
 * #awaitActiveMQServer()}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Mqtt5ArtemisIT extends CourierKarafTestSupport {

  /** A Core/JMS user with the admin role (etc/users.properties: password, roles). */
  private static final String JMS_USER = "jmsservice";

  private final Mqtt5Clients mqtt5 = new Mqtt5Clients(this::mqttPort, TIMEOUT);

  @Override
  protected boolean withArtemis() {
    return true;
  }

  @Override
  protected Option[] extraOptions(int mqttPort) {
    return new Option[] {
      editConfigurationFilePut("etc/users.properties", JMS_USER, JMS_USER + ",admin"),
    };
  }

  @Before
  public void awaitBridge() {
    awaitArtemisTransport();
  }

  @After
  public void closeClients() {
    mqtt5.closeAll();
  }

  /** Waits, by the clock, until {@code millis} have passed since {@code startNanos}. */
  private static void awaitElapsed(long startNanos, long millis) {
    long deadline = startNanos + Duration.ofMillis(millis).toNanos();
    await().atMost(Duration.ofMillis(millis).plus(TIMEOUT)).pollInterval(Duration.ofMillis(50))
        .until(() -> System.nanoTime() - deadline >= 0);
  }

  private static MqttMessage expiring(String payload, long seconds) {
    MqttMessage message = Mqtt5Clients.qos1(payload);
    MqttProperties properties = new MqttProperties();
    properties.setMessageExpiryInterval(seconds);
    message.setProperties(properties);
    return message;
  }

  @Test
  public void whenAQueuedMessageExpiresWhileItsSessionIsAway_thenOnlyTheOtherArrives()
      throws Exception {
    String topic = uniqueTopic("expiring");
    String id = clientId("away");
    mqtt5.leaveSession(id, 3600, topic);

    MqttAsyncClient publisher = mqtt5.connect(clientId("pub"), Mqtt5Clients.options(true, 0), null);
    long published = System.nanoTime();
    mqtt5.complete(publisher.publish(topic, expiring("short-lived", 1)));
    mqtt5.complete(publisher.publish(topic, expiring("long-lived", 300)));
    awaitElapsed(published, 2_200);

    Mqtt5Recorder recorder = new Mqtt5Recorder();
    IMqttToken connected = mqtt5.comeBack(id, Mqtt5Clients.options(false, 3600), recorder);
    assertThat(connected.getSessionPresent()).isTrue();
    await().atMost(TIMEOUT).until(() -> !recorder.messages().isEmpty());
    await().during(QUIET).atMost(QUIET.multipliedBy(3))
        .until(() -> recorder.messages().size() == 1);
    assertThat(recorder.payloads()).containsExactly("long-lived");
    // [MQTT-3.3.2-6] the remaining interval: at least 2 s of the 300 have passed.
    assertThat(recorder.messages().get(0).properties().getMessageExpiryInterval())
        .isBetween(1L, 298L);
    mqtt5.endSession(id);
  }

  /** Options with a QoS 1 will on {@code willTopic} delayed by {@code delaySeconds}. */
  private static MqttConnectionOptions withDelayedWill(String willTopic, long delaySeconds) {
    MqttConnectionOptions options = Mqtt5Clients.options(false, 60);
    options.setWill(willTopic, Mqtt5Clients.qos1("gone"));
    MqttProperties willProperties = new MqttProperties();
    willProperties.setWillDelayInterval(delaySeconds);
    options.setWillMessageProperties(willProperties);
    return options;
  }

  @Test
  public void whenAConnectionDropsWithAWillDelay_thenTheWillComesOnlyAfterTheDelay()
      throws Exception {
    String willTopic = uniqueTopic("will");
    Mqtt5Recorder watcher = new Mqtt5Recorder();
    MqttAsyncClient watching =
        mqtt5.connect(clientId("watch"), Mqtt5Clients.options(true, 0), watcher);
    mqtt5.subscribe(watching, new MqttProperties(), new MqttSubscription(willTopic, 1));
    String id = clientId("mortal");
    MqttAsyncClient mortal = mqtt5.connect(id, withDelayedWill(willTopic, 2), null);

    // No DISCONNECT: the network went away.
    long dropped = System.nanoTime();
    mortal.disconnectForcibly(0, 1000, false);

    await().atMost(TIMEOUT).until(() -> !watcher.messages().isEmpty());
    long elapsedMillis = Duration.ofNanos(System.nanoTime() - dropped).toMillis();
    assertThat(elapsedMillis).as("will delay observed").isGreaterThanOrEqualTo(1_900);
    assertThat(watcher.payloads()).containsExactly("gone");
    mqtt5.endSession(id);
  }

  @Test
  public void whenTheClientReturnsWithinTheWillDelay_thenNoWillIsSent() throws Exception {
    String willTopic = uniqueTopic("will");
    Mqtt5Recorder watcher = new Mqtt5Recorder();
    MqttAsyncClient watching =
        mqtt5.connect(clientId("watch"), Mqtt5Clients.options(true, 0), watcher);
    mqtt5.subscribe(watching, new MqttProperties(), new MqttSubscription(willTopic, 1));
    String id = clientId("returning");
    MqttAsyncClient first = mqtt5.connect(id, withDelayedWill(willTopic, 3), null);
    first.disconnectForcibly(0, 1000, false);

    // [MQTT-3.1.3-9] the session resumed before the delay ran out: its will is not sent.
    IMqttToken connected = mqtt5.comeBack(id, Mqtt5Clients.options(false, 60), null);
    assertThat(connected.getSessionPresent()).isTrue();
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8))
        .until(() -> watcher.messages().isEmpty());
    mqtt5.endSession(id);
  }

  @Test
  public void whenAJmsServiceAnswersAnMqtt5Request_thenResponseTopicAndCorrelationDataCarryIt()
      throws Exception {
    String base = uniqueTopic("rpc");
    String requestTopic = base + "/request";
    String responseTopic = base + "/response";
    Mqtt5Recorder replies = new Mqtt5Recorder();
    MqttAsyncClient requester =
        mqtt5.connect(clientId("requester"), Mqtt5Clients.options(true, 0), replies);
    mqtt5.subscribe(requester, new MqttProperties(), new MqttSubscription(responseTopic, 1));

    javax.jms.ConnectionFactory factory =
        new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(
            "tcp://127.0.0.1:" + artemisCorePort());
    try (javax.jms.Connection connection = factory.createConnection(JMS_USER, JMS_USER)) {
      javax.jms.Session session =
          connection.createSession(false, javax.jms.Session.AUTO_ACKNOWLEDGE);
      // The MQTT topic a/b is the JMS topic (multicast address) a.b.
      javax.jms.MessageConsumer service =
          session.createConsumer(session.createTopic(requestTopic.replace('/', '.')));
      connection.start();

      MqttMessage request = Mqtt5Clients.qos1("what time is it");
      MqttProperties properties = new MqttProperties();
      properties.setResponseTopic(responseTopic);
      properties.setCorrelationData("req-1".getBytes(StandardCharsets.UTF_8));
      properties.setContentType("text/plain");
      properties.setUserProperties(List.of(new UserProperty("trace", "t-42")));
      request.setProperties(properties);
      mqtt5.complete(requester.publish(requestTopic, request));

      javax.jms.Message received = service.receive(TIMEOUT.toMillis());
      assertThat(received).isInstanceOf(javax.jms.BytesMessage.class);
      javax.jms.BytesMessage bytes = (javax.jms.BytesMessage) received;
      byte[] body = new byte[(int) bytes.getBodyLength()];
      bytes.readBytes(body);
      assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("what time is it");
      assertThat(received.getJMSCorrelationID()).isEqualTo("req-1");
      assertThat(received.getStringProperty("trace")).isEqualTo("t-42");
      assertThat(received.getStringProperty("MQTT_CONTENT_TYPE")).isEqualTo("text/plain");
      javax.jms.Destination replyTo = received.getJMSReplyTo();
      assertThat(replyTo).isInstanceOf(javax.jms.Topic.class);
      assertThat(((javax.jms.Topic) replyTo).getTopicName())
          .isEqualTo(responseTopic.replace('/', '.'));

      javax.jms.BytesMessage reply = session.createBytesMessage();
      reply.writeBytes("noon".getBytes(StandardCharsets.UTF_8));
      reply.setJMSCorrelationID(received.getJMSCorrelationID());
      reply.setStringProperty("status", "ok");
      session.createProducer(replyTo).send(reply);
    }

    await().atMost(TIMEOUT).until(() -> !replies.messages().isEmpty());
    Mqtt5Recorder.Received answer = replies.messages().get(0);
    assertThat(answer.topic()).isEqualTo(responseTopic);
    assertThat(answer.payload()).isEqualTo("noon");
    assertThat(new String(answer.properties().getCorrelationData(), StandardCharsets.UTF_8))
        .isEqualTo("req-1");
    assertThat(answer.properties().getUserProperties()).contains(new UserProperty("status", "ok"));
  }

  @Test
  public void whenTheBrokerRestarts_thenASessionWithinItsExpiryResumes_andAnExpiredOneIsGone()
      throws Exception {
    String keptTopic = uniqueTopic("kept");
    String lostTopic = uniqueTopic("lost");
    String keptId = clientId("kept");
    String lostId = clientId("lost");
    mqtt5.leaveSession(keptId, 3600, keptTopic);
    MqttAsyncClient lost = mqtt5.connect(lostId, Mqtt5Clients.options(false, 2), null);
    mqtt5.subscribe(lost, new MqttProperties(), new MqttSubscription(lostTopic, 1));
    long lostLeft = System.nanoTime();
    mqtt5.complete(lost.disconnect());
    MqttAsyncClient publisher = mqtt5.connect(clientId("pub"), Mqtt5Clients.options(true, 0), null);
    mqtt5.complete(publisher.publish(keptTopic, Mqtt5Clients.qos1("for kept")));
    mqtt5.complete(publisher.publish(lostTopic, Mqtt5Clients.qos1("for lost")));

    ArtemisRestart.brokerAndTransport(this);
    awaitElapsed(lostLeft, 3_000);

    Mqtt5Recorder keptRecorder = new Mqtt5Recorder();
    IMqttToken keptBack = mqtt5.comeBack(keptId, Mqtt5Clients.options(false, 3600), keptRecorder);
    assertThat(keptBack.getSessionPresent()).isTrue();
    await().atMost(TIMEOUT).until(() -> !keptRecorder.messages().isEmpty());
    assertThat(keptRecorder.payloads()).containsExactly("for kept");

    Mqtt5Recorder lostRecorder = new Mqtt5Recorder();
    IMqttToken lostBack = mqtt5.comeBack(lostId, Mqtt5Clients.options(false, 0), lostRecorder);
    assertThat(lostBack.getSessionPresent()).isFalse();
    await().during(QUIET).atMost(QUIET.multipliedBy(3))
        .until(() -> lostRecorder.messages().isEmpty());
    mqtt5.endSession(keptId);
  }
}
