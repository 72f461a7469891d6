package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Smoke test of {@code courier-mqtt-artemis} in a stock Karaf: the embedded Artemis broker starts
 * with Courier's configuration (one Core acceptor, on the test's free port), registers itself as an
 * {@code ActiveMQServer} service, keeps its journal under the container's data directory, and the
 * bridge bundle is active.
 *
 * <p>Artemis types appear only as local variables (see {@link #awaitActiveMQServer()}).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ArtemisFeatureIT extends CourierKarafTestSupport {

  @Override
  protected boolean withArtemis() {
    return true;
  }

  @Test
  public void whenFeatureIsInstalled_thenActiveMQServerServiceIsActive() throws Exception {
    ActiveMQServer server = (ActiveMQServer) bundleContext.getService(awaitActiveMQServer());
    await().atMost(ARTEMIS_TIMEOUT).until(server::isActive);
    assertFeatureInstalled(ARTEMIS_FEATURE);
    assertFeatureInstalled("artemis-core");
    assertThat(server.getConfiguration().isPersistenceEnabled()).isTrue();
    assertThat(server.getConfiguration().isSecurityEnabled()).isTrue();
    // fsync on, records gathered for 0.1 ms per write (Artemis's NIO default, 3.33 ms, held every
    // durable PUBACK ~3.5 ms: a persistent QoS 1 subscriber got ~4,400 msgs/s)
    assertThat(server.getConfiguration().isJournalDatasync()).isTrue();
    assertThat(server.getConfiguration().getJournalBufferTimeout_NIO()).isEqualTo(100_000);
  }

  @Test
  public void whenBrokerRuns_thenItsJournalIsUnderTheContainersDataDirectory() throws Exception {
    ActiveMQServer server = (ActiveMQServer) bundleContext.getService(awaitActiveMQServer());
    await().atMost(ARTEMIS_TIMEOUT).until(server::isActive);
    Path data = Paths.get(System.getProperty("karaf.data")).toRealPath();
    File journal = server.getConfiguration().getJournalLocation();
    assertThat(journal).isDirectory();
    Path journalPath = journal.toPath().toRealPath();
    // OsgiBroker's broker instance is ${karaf.data}/artemis/<name>; ./journal is relative to it
    assertThat(journalPath).startsWith(data.resolve("artemis"));
    try (Stream<Path> files = Files.list(journalPath)) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(name -> name.endsWith(".amq"));
    }
    assertThat(server.getConfiguration().getBindingsLocation().toPath().toRealPath()).startsWith(data);
    // created on first use: compared as a path, not as an existing file
    assertThat(server.getConfiguration().getPagingLocation().toPath().toAbsolutePath().normalize())
        .startsWithRaw(data);
  }

  @Test
  public void whenBrokerRuns_thenOnlyTheConfiguredCoreAcceptorIsOpen() throws Exception {
    ActiveMQServer server = (ActiveMQServer) bundleContext.getService(awaitActiveMQServer());
    await().atMost(ARTEMIS_TIMEOUT).until(server::isActive);
    List<String> acceptors = new ArrayList<>();
    for (TransportConfiguration acceptor : server.getConfiguration().getAcceptorConfigurations()) {
      acceptors.add(acceptor.getParams().get("protocols") + "@" + acceptor.getParams().get("host")
          + ":" + acceptor.getParams().get("port"));
    }
    assertThat(acceptors).containsExactly("CORE@127.0.0.1:" + artemisCorePort());
    assertThat(acceptsTcp(artemisCorePort())).isTrue();
    // the broker reads Courier's etc/courier-artemis.xml, through Artemis's PID
    assertThat(String.valueOf(configurationAdmin.getConfiguration("org.apache.activemq.artemis", null)
            .getProperties().get("config")))
        .endsWith("courier-artemis.xml");
  }

  @Test
  public void whenFeatureIsInstalled_thenBridgeBundleIsActive() {
    awaitActiveMQServer();
    Bundle bridge = bundle(ARTEMIS_BRIDGE_BSN)
        .orElseThrow(() -> new AssertionError("no bundle " + ARTEMIS_BRIDGE_BSN));
    await().atMost(TIMEOUT).until(() -> bridge.getState() == Bundle.ACTIVE);
  }
}
