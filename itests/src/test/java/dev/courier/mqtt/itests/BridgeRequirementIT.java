package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.api.MqttTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * The transport's bridge requirement with Artemis installed: while the Artemis bridge bundle is
 * stopped, {@code bridge = auto} (the default) and {@code bridge = artemis} bind no listener, so no
 * client is acknowledged anything by a bridge that would not keep it; when the bundle starts again
 * the listener binds on the Artemis bridge, and every QoS 1 message acknowledged from then on
 * reaches a persistent subscriber.
 *
 * <p>Each test starts and ends with the transport on the Artemis bridge; Artemis types appear only
 * inside method bodies (see {@link #awaitActiveMQServer()}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BridgeRequirementIT extends CourierKarafTestSupport {

  /** How long connection attempts are watched while the bridge is stopped. */
  private static final Duration REFUSED_FOR = Duration.ofSeconds(3);

  /** QoS 1 messages the boot-window publisher must have acknowledged after the bridge started. */
  private static final int ACKED_AFTER_START = 200;

  /** The boot-window publisher's pause between failed connection attempts (a client's retry pace). */
  private static final long RETRY_PAUSE_MILLIS = 50;

  @Override
  protected boolean withArtemis() {
    return true;
  }

  @Test
  public void whenBridgeBundleStops_thenNoListenerAndNoConnectionIsAcknowledged_untilItReturns()
      throws Exception {
    awaitArtemisTransport();
    assertNoListenerWhileTheBridgeIsStopped();
  }

  @Test
  public void whenBridgeIsArtemisAndTheBridgeBundleStops_thenNoListener_untilItReturns()
      throws Exception {
    awaitArtemisTransport();
    updateConfiguration(TRANSPORT_PID, Map.of("bridge", "artemis"));
    try {
      // The requirement applies without moving the listener: it already runs on that bridge.
      awaitArtemisTransport();
      assertNoListenerWhileTheBridgeIsStopped();
    } finally {
      removeConfigurationKeys(TRANSPORT_PID, "bridge");
    }
    awaitArtemisTransport();
  }

  @Test
  public void whenClientsPublishWhileTheBridgeStarts_thenEveryAcknowledgedMessageIsDelivered()
      throws Exception {
    awaitArtemisTransport();
    String topic = uniqueTopic("boot");
    String subscriberId = clientId("boot-sub");
    MqttClient subscriber = client(subscriberId);
    subscriber.connect(options(false));
    subscriber.subscribe(topic, 1);
    subscriber.disconnect();

    Bundle bridge = bundle(ARTEMIS_BRIDGE_BSN).orElseThrow();
    BootWindowPublisher publisher = new BootWindowPublisher(client(clientId("boot-pub")), topic);
    bridge.stop();
    try {
      try {
        await("no MqttTransport while the bridge is stopped").atMost(TIMEOUT)
            .until(() -> transportReferences().isEmpty());
        publisher.start();
        // The publisher is retrying against the closed port before the bridge comes back.
        await("publisher retrying").atMost(TIMEOUT).until(() -> publisher.failedConnects.get() >= 5);
        assertThat(transportReferences()).as("transport service while the bridge is stopped")
            .isEmpty();
        assertThat(publisher.connects.get()).as("connections accepted while the bridge is stopped")
            .isZero();
        assertThat(publisher.acked).as("publications acknowledged while the bridge is stopped")
            .isEmpty();
      } finally {
        bridge.start();
      }
      await("publications acknowledged after the bridge started")
          .atMost(ARTEMIS_TIMEOUT.multipliedBy(2))
          .until(() -> publisher.acked.size() >= ACKED_AFTER_START || !publisher.isAlive());
    } finally {
      publisher.finish();
    }
    assertThat(publisher.unexpected.get()).as("publisher failure").isNull();
    assertThat(publisher.acked).hasSizeGreaterThanOrEqualTo(ACKED_AFTER_START);
    // Where they were taken: never on the in-memory bridge.
    assertThat(publisher.bridgesAtConnect).doesNotContain("in-memory");

    MessageRecorder recorder = new MessageRecorder();
    MqttClient resumed = client(subscriberId);
    resumed.setCallback(recorder);
    assertThat(resumed.connectWithResult(options(false)).getSessionPresent()).isTrue();
    Set<String> expected = publisher.acked.stream().map(BridgeRequirementIT::payload)
        .collect(Collectors.toSet());
    await("every acknowledged message delivered").atMost(TIMEOUT.multipliedBy(3))
        .until(() -> recorder.payloads().containsAll(expected));
    resumed.disconnect();
  }

  /**
   * Stops the bridge bundle; asserts that the transport service goes, that a connection made before
   * is closed, and that connection attempts keep failing at TCP level (never a CONNACK, from any
   * bridge) while the broker runs on; starts the bundle and asserts that a client connects on the
   * Artemis bridge again.
   */
  private void assertNoListenerWhileTheBridgeIsStopped() throws Exception {
    Object server = bundleContext.getService(awaitActiveMQServer());
    Bundle bridge = bundle(ARTEMIS_BRIDGE_BSN).orElseThrow();
    MessageRecorder connectedBefore = new MessageRecorder();
    connectedClient("before", connectedBefore);
    bridge.stop();
    try {
      await("no MqttTransport service").atMost(TIMEOUT).until(() -> transportReferences().isEmpty());
      // A client connected on the bridge that went is not left talking to nothing.
      await("connection made before the stop closed").atMost(TIMEOUT).until(connectedBefore::lost);
      List<Integer> outcomes = new CopyOnWriteArrayList<>();
      List<Integer> services = new CopyOnWriteArrayList<>();
      // Every poll is an attempt; all are kept, so one accepted in the middle fails the test.
      await("connection attempts while the bridge is stopped")
          .during(REFUSED_FOR).atMost(REFUSED_FOR.multipliedBy(4))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            outcomes.add(connectAttempt());
            services.add(transportReferences().size());
            return true;
          });
      assertThat(outcomes).as("MQTT connection attempts (Paho reason codes, -1 = connected)")
          .hasSizeGreaterThanOrEqualTo(10)
          .containsOnly((int) MqttException.REASON_CODE_SERVER_CONNECT_ERROR);
      assertThat(services).as("MqttTransport services meanwhile").containsOnly(0);
      assertThat(acceptsTcp(mqttPort())).as("TCP connection to the MQTT port").isFalse();
      assertThat(((org.apache.activemq.artemis.core.server.ActiveMQServer) server).isActive())
          .as("broker still running").isTrue();
    } finally {
      bridge.start();
    }
    MqttTransport back = awaitArtemisTransport();
    assertThat(back.bridgeName()).isEqualTo("artemis");
    MqttClient client = client(clientId("back"));
    client.connect(options(true));
    assertThat(client.isConnected()).isTrue();
    client.disconnect();
  }

  /** One MQTT connection attempt to the test port: -1 if accepted (then closed), else Paho's reason code. */
  private int connectAttempt() throws MqttException {
    MqttClient probe = new MqttClient("tcp://127.0.0.1:" + mqttPort(), clientId("probe"),
        new MemoryPersistence());
    try {
      MqttConnectOptions options = options(true);
      options.setConnectionTimeout(2);
      probe.connect(options);
      probe.disconnectForcibly(0, 1000);
      return -1;
    } catch (MqttException refused) {
      return refused.getReasonCode();
    } finally {
      probe.close(true);
    }
  }

  private static String payload(int sequence) {
    return "seq-" + sequence;
  }

  /**
   * A client that keeps trying: connect (failing fast while no listener is bound, then retrying),
   * publish numbered QoS 1 messages, reconnect when the connection drops; it records the sequence
   * number of every publication whose PUBACK arrived, and the bridge the transport ran on at each
   * successful connect.
   */
  private final class BootWindowPublisher extends Thread {
    private static final int MAX_MESSAGES = 20_000;

    final Set<Integer> acked = new ConcurrentSkipListSet<>();
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger failedConnects = new AtomicInteger();
    final List<String> bridgesAtConnect = new CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> unexpected = new AtomicReference<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final MqttClient client;
    private final String topic;

    BootWindowPublisher(MqttClient client, String topic) {
      super("boot-window-publisher");
      setDaemon(true);
      this.client = client;
      this.topic = topic;
    }

    @Override
    public void run() {
      MqttConnectOptions options = options(true);
      options.setConnectionTimeout(2);
      long deadline = System.nanoTime() + ARTEMIS_TIMEOUT.multipliedBy(3).toNanos();
      int sequence = 0;
      try {
        while (stop.getCount() > 0 && sequence < MAX_MESSAGES && System.nanoTime() < deadline) {
          if (!client.isConnected()) {
            try {
              client.connect(options);
              connects.incrementAndGet();
              // (the service registers just after the listener binds: absent for a moment)
              currentTransport().map(MqttTransport::bridgeName).ifPresent(bridgesAtConnect::add);
            } catch (MqttException refused) {
              failedConnects.incrementAndGet();
              // the retry pace of a client; ends at once when the test says stop
              stop.await(RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
              continue;
            }
          }
          int next = sequence++;
          try {
            client.publish(topic, payload(next).getBytes(StandardCharsets.UTF_8), 1, false);
            acked.add(next);
          } catch (MqttException notAcknowledged) {
            // connection lost mid-publication: no PUBACK, so no promise; it may or may not arrive
          }
        }
      } catch (Throwable t) {
        unexpected.set(t);
      } finally {
        try {
          if (client.isConnected()) {
            client.disconnect();
          }
        } catch (MqttException ignored) {
          // the test's outcome does not depend on a clean disconnect
        }
      }
    }

    /** Stops the loop and waits for the thread to end. */
    void finish() throws InterruptedException {
      stop.countDown();
      join(TIMEOUT.toMillis());
      assertThat(isAlive()).as("publisher thread still running").isFalse();
    }
  }
}
