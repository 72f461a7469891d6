package dev.courier.mqtt.artemis.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.ClusterConnectionConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnectorFactory;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.JournalType;

/** A persistent Artemis broker in the test JVM, restartable on the same journal. */
final class EmbeddedArtemis implements AutoCloseable {

  private final Path dir;
  private ActiveMQServer server;
  private ArtemisBridge bridge;
  private LongSupplier clock = System::currentTimeMillis;
  private boolean clustered;

  EmbeddedArtemis(Path dir) {
    this.dir = dir;
  }

  /** Marks the broker's configuration as clustered (a node with no other nodes yet). */
  EmbeddedArtemis clustered() {
    this.clustered = true;
    return this;
  }

  /** Starts the broker and a bridge on it. */
  ArtemisBridge start() throws Exception {
    return start(ArtemisBridgeConfig.DEFAULTS);
  }

  ArtemisBridge start(ArtemisBridgeConfig config) throws Exception {
    return start(config, System::currentTimeMillis);
  }

  /** Starts the broker and a bridge on the given clock. */
  ArtemisBridge start(ArtemisBridgeConfig config, LongSupplier clock) throws Exception {
    this.clock = clock;
    Configuration configuration = new ConfigurationImpl()
        .setName("test")
        .setPersistenceEnabled(true)
        .setSecurityEnabled(false)
        .setJournalType(JournalType.NIO)
        .setJournalDirectory(dir.resolve("journal").toString())
        .setBindingsDirectory(dir.resolve("bindings").toString())
        .setPagingDirectory(dir.resolve("paging").toString())
        .setLargeMessagesDirectory(dir.resolve("large").toString())
        .setJMXManagementEnabled(false)
        .setMessageExpiryScanPeriod(100)
        .addAcceptorConfiguration(new TransportConfiguration(InVMAcceptorFactory.class.getName()));
    if (clustered) {
      configuration.addConnectorConfiguration("invm",
          new TransportConfiguration(InVMConnectorFactory.class.getName()));
      configuration.addClusterConfiguration(new ClusterConnectionConfiguration()
          .setName("cluster").setConnectorName("invm").setStaticConnectors(List.of()));
    }
    server = ActiveMQServers.newActiveMQServer(configuration, true);
    server.start();
    bridge = new ArtemisBridge(server, config, clock);
    return bridge;
  }

  ActiveMQServer server() {
    return server;
  }

  /** Stops bridge and broker as a shutdown would; the journal stays. */
  void stop() throws Exception {
    if (bridge != null) {
      bridge.stop();
      bridge = null;
    }
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  /** Stops the bridge and starts a new one on the broker that keeps running. */
  ArtemisBridge restartBridge() throws Exception {
    bridge.stop();
    bridge = new ArtemisBridge(server, ArtemisBridgeConfig.DEFAULTS, clock);
    return bridge;
  }

  /** Stops and starts again on the same journal (and the same clock). */
  ArtemisBridge restart() throws Exception {
    stop();
    return start(ArtemisBridgeConfig.DEFAULTS, clock);
  }

  /**
   * Stops the broker under a bridge that is never told (as if the process had been killed, for
   * the bridge: nothing it holds is given back, no record is closed), and starts both again on the
   * same journal. The abandoned bridge's idle threads end by themselves.
   */
  ArtemisBridge crash() throws Exception {
    server.stop();
    server = null;
    bridge = null;
    return start(ArtemisBridgeConfig.DEFAULTS, clock);
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
