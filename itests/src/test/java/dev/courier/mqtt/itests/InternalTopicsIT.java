package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The Artemis bridge's records and the broker's own addresses are out of reach: an MQTT client is
 * refused subscriptions inside them (SUBACK 0x80) and its wildcard subscriptions see only public
 * messages while Artemis writes retained records and management notifications; a Core client
 * without the admin role cannot write or read the record queue even when {@code #} is opened to
 * its role, because {@code etc/courier-artemis.xml} closes {@code $courier.#} by its own
 * security-setting.
 *
 * <p>Artemis types appear only inside method bodies and never in lambdas (see {@link
 * #awaitActiveMQServer()}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InternalTopicsIT extends CourierKarafTestSupport {

  /** SUBACK failure return code. */
  private static final int REFUSED = 0x80;

  /** A Core user with the admin role (everything). */
  private static final String ADMIN_USER = "coreadmin";

  /** A Core user whose only role is {@value #APP_ROLE}. */
  private static final String APP_USER = "coreapp";

  private static final String APP_ROLE = "app";

  /** The bridge's record queue of retained messages. */
  private static final String RETAINED_QUEUE = "$courier.retained";

  @Override
  protected boolean withArtemis() {
    return true;
  }

  @Override
  protected Option[] extraOptions(int mqttPort) {
    // Core clients log in through the karaf JAAS realm (etc/users.properties: password, roles).
    return new Option[] {
      editConfigurationFilePut("etc/users.properties", ADMIN_USER, ADMIN_USER + ",admin"),
      editConfigurationFilePut("etc/users.properties", APP_USER, APP_USER + "," + APP_ROLE),
    };
  }

  @Test
  public void whenSubscribingToReservedTopics_thenRefusedAndWildcardsSeeOnlyPublicMessages()
      throws Exception {
    awaitArtemisTransport();
    String prefix = uniqueTopic("public");
    MessageRecorder recorder = new MessageRecorder();
    MqttAsyncClient spy = new MqttAsyncClient("tcp://127.0.0.1:" + mqttPort(), clientId("spy"),
        new MemoryPersistence());
    spy.setCallback(recorder);
    // Artemis's own view of the window: its notifications, read by an admin Core consumer.
    AtomicInteger notifications = new AtomicInteger();
    org.apache.activemq.artemis.api.core.client.ServerLocator locator = Core.locator(artemisCorePort());
    try (org.apache.activemq.artemis.api.core.client.ClientSessionFactory factory =
            locator.createSessionFactory();
        org.apache.activemq.artemis.api.core.client.ClientSession core =
            factory.createSession(ADMIN_USER, ADMIN_USER, false, true, true, false, 0)) {
      String queue = "itest.notifications." + clientId("n");
      core.createQueue(org.apache.activemq.artemis.api.core.QueueConfiguration.of(queue)
          .setAddress("activemq.notifications")
          .setRoutingType(org.apache.activemq.artemis.api.core.RoutingType.MULTICAST)
          .setDurable(false).setTemporary(true));
      org.apache.activemq.artemis.api.core.client.ClientConsumer consumer = core.createConsumer(queue);
      Core.count(consumer, notifications);
      core.start();

      spy.connect(options(true)).waitForCompletion(TIMEOUT.toMillis());
      String[] filters = {"$courier/#", "$courier/retained", "$courier/sessions", "$courier/+",
          "$courier-cluster/#", "activemq/#", "activemq/notifications", "$/artemis/internal/#",
          "$sys/mqtt/#", "DLQ/#", "ExpiryQueue/#", "#", "+/notifications"};
      IMqttToken subscribed = spy.subscribe(filters, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
          1, 1});
      subscribed.waitForCompletion(TIMEOUT.toMillis());
      assertThat(subscribed.getGrantedQos()).as("SUBACK return codes for %s", List.of(filters))
          .containsExactly(REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED,
              REFUSED, REFUSED, REFUSED, 1, 1);

      MqttClient publisher = client(clientId("pub"));
      publisher.connect(options(true));
      // Retained records written and deleted ($courier.retained)
      publisher.publish(prefix + "/r1", bytes("one"), 1, true);
      publisher.publish(prefix + "/r2", bytes("two"), 1, true);
      publisher.publish(prefix + "/r1", new byte[0], 1, true);
      // Consumers and queues come and go: Artemis announces each on activemq.notifications
      for (int i = 0; i < 3; i++) {
        MqttClient passer = client(clientId("passer" + i));
        passer.connect(options(true));
        passer.subscribe(prefix + "/+/x", 1);
        passer.unsubscribe(prefix + "/+/x");
        passer.disconnect();
      }
      // Writes into the reserved space are dropped, yet acknowledged (MQTT 3.1.1 has no refusal)
      publisher.publish("$courier/retained", bytes("forged"), 1, true);
      publisher.publish("activemq/notifications", bytes("forged"), 1, false);
      publisher.publish(prefix + "/last", bytes("end"), 1, false);
      publisher.publish(prefix + "/r2", new byte[0], 1, true);

      await("the marker").atMost(TIMEOUT)
          .until(() -> recorder.topics().contains(prefix + "/last"));
      await("notifications written meanwhile").atMost(TIMEOUT).until(() -> notifications.get() > 0);
      assertThat(recorder.topics()).as("topics the # subscriber received")
          .startsWith(prefix + "/r1", prefix + "/r2", prefix + "/r1", prefix + "/last")
          .allSatisfy(topic -> assertThat(topic).startsWith(prefix + "/"));
      assertThat(recorder.payloads()).doesNotContain("forged");
      spy.disconnect().waitForCompletion(TIMEOUT.toMillis());
    } finally {
      spy.close(true);
      locator.close();
    }
  }

  @Test
  public void whenPublishingIntoTheRecordTopic_thenNoRetainedRecordChanges() throws Exception {
    awaitArtemisTransport();
    org.apache.activemq.artemis.core.server.ActiveMQServer server =
        (org.apache.activemq.artemis.core.server.ActiveMQServer) bundleContext.getService(
            awaitActiveMQServer());
    org.apache.activemq.artemis.core.server.Queue records =
        server.locateQueue(org.apache.activemq.artemis.api.core.SimpleString.of(RETAINED_QUEUE));
    assertThat(records).as("queue %s", RETAINED_QUEUE).isNotNull();
    long before = records.getMessageCount();
    Callable<Long> recordCount = Core.messageCount(records);
    MqttClient publisher = client(clientId("forger"));
    publisher.connect(options(true));
    // Acknowledged (MQTT 3.1.1 has no refusal for a PUBLISH), then dropped.
    publisher.publish("$courier/retained", bytes("forged"), 1, true);
    publisher.publish("$courier/sessions", bytes("forged"), 1, true);
    // A retained message on a public topic, and its removal: one record in and out, as a marker.
    String topic = uniqueTopic("public");
    publisher.publish(topic, bytes("kept"), 1, true);
    await("the marker's record").atMost(TIMEOUT).until(recordCount, n -> n == before + 1);
    publisher.publish(topic, new byte[0], 1, true);
    await("the marker's record removed, no other written").atMost(TIMEOUT)
        .until(recordCount, n -> n == before);
    await("no record written afterwards").during(QUIET).atMost(QUIET.multipliedBy(3))
        .until(recordCount, n -> n == before);
  }

  @Test
  public void whenHashIsOpenedToANonAdminRole_thenItsCoreClientStillCannotWriteOrReadTheRecordQueue()
      throws Exception {
    awaitArtemisTransport();
    org.apache.activemq.artemis.core.server.ActiveMQServer server =
        (org.apache.activemq.artemis.core.server.ActiveMQServer) bundleContext.getService(
            awaitActiveMQServer());
    org.apache.activemq.artemis.core.settings.HierarchicalRepository<
            Set<org.apache.activemq.artemis.core.security.Role>> security =
        server.getSecurityRepository();
    Set<org.apache.activemq.artemis.core.security.Role> shipped = security.getMatch("#");
    Set<org.apache.activemq.artemis.core.security.Role> opened = new HashSet<>(shipped);
    org.apache.activemq.artemis.core.security.Role app =
        new org.apache.activemq.artemis.core.security.Role();
    app.setName(APP_ROLE);
    app.setSend(true);
    app.setConsume(true);
    app.setBrowse(true);
    app.setCreateAddress(true);
    app.setCreateNonDurableQueue(true);
    app.setDeleteNonDurableQueue(true);
    app.setCreateDurableQueue(true);
    app.setDeleteDurableQueue(true);
    opened.add(app);
    org.apache.activemq.artemis.core.server.Queue records =
        server.locateQueue(org.apache.activemq.artemis.api.core.SimpleString.of(RETAINED_QUEUE));
    assertThat(records).as("queue %s", RETAINED_QUEUE).isNotNull();
    String recordAddress = records.getAddress().toString();
    long before = records.getMessageCount();

    String topic = uniqueTopic("public");
    MessageRecorder recorder = new MessageRecorder();
    MqttClient subscriber = connectedClient("sub", recorder);
    subscriber.subscribe(topic, 1);

    security.addMatch("#", opened);
    org.apache.activemq.artemis.api.core.client.ServerLocator locator = Core.locator(artemisCorePort());
    try (org.apache.activemq.artemis.api.core.client.ClientSessionFactory factory =
            locator.createSessionFactory();
        org.apache.activemq.artemis.api.core.client.ClientSession session =
            factory.createSession(APP_USER, APP_USER, false, true, true, false, 0)) {
      // A public address is open to the role now: the MQTT subscriber gets the message.
      org.apache.activemq.artemis.api.core.client.ClientProducer open =
          session.createProducer(topic.replace('/', '.'));
      open.send(Core.message(session, "from app"));
      await("the app user's message over MQTT").atMost(TIMEOUT)
          .until(() -> recorder.payloads().contains("from app"));

      // The record queue is not: sending is refused, and nothing reaches the records.
      Throwable sendFailure = null;
      try {
        org.apache.activemq.artemis.api.core.client.ClientProducer forged =
            session.createProducer(recordAddress);
        forged.send(Core.message(session, "forged"));
      } catch (Exception refused) {
        sendFailure = refused;
      }
      assertThat(sendFailure).as("send to %s as %s", recordAddress, APP_USER)
          .isInstanceOf(org.apache.activemq.artemis.api.core.ActiveMQSecurityException.class);
      // Nor can the role read it.
      Throwable consumeFailure = null;
      try {
        session.createConsumer(RETAINED_QUEUE).close();
      } catch (Exception refused) {
        consumeFailure = refused;
      }
      assertThat(consumeFailure).as("consume %s as %s", RETAINED_QUEUE, APP_USER)
          .isInstanceOf(org.apache.activemq.artemis.api.core.ActiveMQSecurityException.class);
      Throwable browseFailure = null;
      try {
        session.createConsumer(RETAINED_QUEUE, true).close();
      } catch (Exception refused) {
        browseFailure = refused;
      }
      assertThat(browseFailure).as("browse %s as %s", RETAINED_QUEUE, APP_USER)
          .isInstanceOf(org.apache.activemq.artemis.api.core.ActiveMQSecurityException.class);
      assertThat(records.getMessageCount()).as("records in %s", RETAINED_QUEUE).isEqualTo(before);
    } finally {
      locator.close();
      security.addMatch("#", shipped);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The Artemis code that needs Artemis types in signatures or lambdas, kept out of the test class
   * (JUnit reads every method signature of the test class, lambdas' included, before Artemis is
   * installed).
   */
  private static final class Core {

    private Core() {}

    /** A locator for the broker's Core acceptor whose sends wait for the broker's answer. */
    static org.apache.activemq.artemis.api.core.client.ServerLocator locator(int port) throws Exception {
      org.apache.activemq.artemis.api.core.client.ServerLocator locator =
          org.apache.activemq.artemis.api.core.client.ActiveMQClient.createServerLocator(
              "tcp://127.0.0.1:" + port);
      locator.setBlockOnDurableSend(true);
      locator.setBlockOnNonDurableSend(true);
      return locator;
    }

    /** A durable Core message with a text body. */
    static org.apache.activemq.artemis.api.core.client.ClientMessage message(
        org.apache.activemq.artemis.api.core.client.ClientSession session, String body) {
      org.apache.activemq.artemis.api.core.client.ClientMessage message = session.createMessage(
          org.apache.activemq.artemis.api.core.client.ClientMessage.BYTES_TYPE, true);
      message.getBodyBuffer().writeBytes(bytes(body));
      return message;
    }

    /** Counts what a consumer receives (and acknowledges it). */
    static void count(org.apache.activemq.artemis.api.core.client.ClientConsumer consumer,
        AtomicInteger count) throws Exception {
      consumer.setMessageHandler(message -> {
        count.incrementAndGet();
        try {
          message.acknowledge();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }

    /** The number of messages in a queue, as a condition for Awaitility. */
    static Callable<Long> messageCount(org.apache.activemq.artemis.core.server.Queue queue) {
      return queue::getMessageCount;
    }
  }
}
