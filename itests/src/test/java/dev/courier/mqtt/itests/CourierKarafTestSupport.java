package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import dev.courier.mqtt.transport.api.MqttTransport;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.features.FeaturesService;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.After;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Base of the Pax Exam tests: boots a real Apache Karaf with the {@code courier-mqtt} feature, on free
 * SSH, RMI and MQTT ports, with the freshly built Courier artifacts first in the container's Maven
 * search path, and gives the tests Paho clients and Awaitility-based helpers.
 *
 * <p>{@link #config()} runs in the test driver JVM; the test methods run inside the container. The
 * ports chosen by the driver reach the container as system properties ({@code itest.mqtt.port},
 * {@code itest.artemis.core.port}).
 *
 * <p>A class whose {@link #withArtemis()} returns true also gets {@code courier-mqtt-artemis}: the
 * embedded Apache ActiveMQ Artemis broker with Courier's {@code etc/courier-artemis.xml}, its Core
 * acceptor moved to a free port, and the bridge; {@link #awaitActiveMQServer()} waits for the broker.
 * This class names no Artemis type: JUnit inspects it in every test class, Artemis or not.
 */
public abstract class CourierKarafTestSupport {

  /** Feature under test. */
  public static final String FEATURE = "courier-mqtt";

  /** Configuration PID of the transport. */
  public static final String TRANSPORT_PID = "dev.courier.mqtt.transport";

  /** How long any single expected event may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** How long "nothing arrives" is watched for. */
  public static final Duration QUIET = Duration.ofMillis(1500);

  private static final String MQTT_PORT_PROPERTY = "itest.mqtt.port";

  /** The feature with the embedded Artemis broker and the bridge (see {@link #withArtemis()}). */
  public static final String ARTEMIS_FEATURE = "courier-mqtt-artemis";

  /** Symbolic name of the bridge bundle. */
  public static final String ARTEMIS_BRIDGE_BSN = "dev.courier.mqtt.artemis";

  /** The broker configuration file the feature installs, which the tests replace before boot. */
  public static final String ARTEMIS_XML = "etc/courier-artemis.xml";

  /** The service Artemis's Karaf component registers once the broker has started. */
  public static final String ACTIVEMQ_SERVER = "org.apache.activemq.artemis.core.server.ActiveMQServer";

  /** How long the broker may take to start at boot (journal creation, first feature install). */
  public static final Duration ARTEMIS_TIMEOUT = Duration.ofSeconds(60);

  private static final String ARTEMIS_CORE_PORT_PROPERTY = "itest.artemis.core.port";

  /** The Core acceptor in the shipped courier-artemis.xml, which the tests move to a free port. */
  private static final String SHIPPED_CORE_ACCEPTOR = "tcp://127.0.0.1:61616?";

  /**
   * Injected once Karaf has installed and started every boot feature, before any test method runs.
   * Pax Exam installs the probe as soon as its remote bundle context is up, which can be while the
   * features service is still resolving and starting the test libraries; the probe's dynamic imports
   * (Awaitility, AssertJ, Paho) then found no resolved exporter ("org.awaitility.Awaitility not found
   * by PAXEXAM-PROBE", seen once in a CI run). Waiting for this service first closes that window.
   */
  @Inject
  @Filter(timeout = 180_000)
  protected BootFinished bootFinished;

  @Inject protected BundleContext bundleContext;

  @Inject protected FeaturesService featuresService;

  @Inject protected ConfigurationAdmin configurationAdmin;

  private final List<MqttClient> clients = new ArrayList<>();

  /** The container configuration shared by all test classes (one Karaf per class). */
  @Configuration
  public Option[] config() {
    String karafVersion = required("itest.karaf.version");
    String projectVersion = required("itest.project.version");
    String reactorRepo = new File(required("itest.reactor.repo")).toURI().toString();
    String localRepo = required("itest.maven.local.repo");
    File unpackDir = new File(required("itest.build.dir"), "exam");

    MavenArtifactUrlReference karafUrl =
        maven("org.apache.karaf", "apache-karaf", karafVersion).type("tar.gz");
    MavenArtifactUrlReference courierFeatures =
        maven("dev.courier", "courier-mqtt-features", projectVersion)
            .classifier("features")
            .type("xml");

    List<Option> options = new ArrayList<>();
    options.add(
        karafDistributionConfiguration()
            .frameworkUrl(karafUrl)
            .karafVersion(karafVersion)
            .name("Apache Karaf")
            .unpackDirectory(unpackDir)
            .useDeployFolder(false));
    options.add(keepRuntimeFolder());
    options.add(configureConsole().ignoreLocalConsole().ignoreRemoteShell());
    options.add(logLevel(LogLevel.INFO));
    options.add(vmOptions(java17Options()));

    // Maven inside the container: our freshly built artifacts first, then Karaf's system folder,
    // then the build's local repository, then Maven Central only.
    String mvnCfg = "etc/org.ops4j.pax.url.mvn.cfg";
    options.add(
        editConfigurationFilePut(
            mvnCfg,
            "org.ops4j.pax.url.mvn.defaultRepositories",
            reactorRepo + "@id=courier.reactor@snapshots,"
                + "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots,"
                + "file:${karaf.data}/kar@id=kar.repository@multi@snapshots"));
    options.add(editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.localRepository", localRepo));
    options.add(
        editConfigurationFilePut(
            mvnCfg, "org.ops4j.pax.url.mvn.repositories", "https://repo1.maven.org/maven2@id=central"));
    options.add(editConfigurationFilePut(mvnCfg, "org.ops4j.pax.url.mvn.useFallbackRepositories", "false"));

    // Free ports: Pax Exam randomises RMI but not SSH; 1883 may be taken on a developer machine.
    int mqttPort = freePort();
    options.add(editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(freePort())));
    options.add(
        editConfigurationFilePut(
            "etc/org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(freePort())));
    options.add(
        editConfigurationFilePut(
            "etc/org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(freePort())));
    // Written before boot, so the transport binds the test port from its first activation; the
    // feature's configfile (override="false") leaves an existing file alone.
    if (preconfigureTransport()) {
      String transportCfg = "etc/" + TRANSPORT_PID + ".cfg";
      options.add(editConfigurationFilePut(transportCfg, "host", "127.0.0.1"));
      options.add(editConfigurationFilePut(transportCfg, "port", String.valueOf(mqttPort)));
    }
    options.add(systemProperty(MQTT_PORT_PROPERTY).value(String.valueOf(mqttPort)));

    options.add(features(courierFeatures, FEATURE));

    if (withArtemis()) {
      // The shipped broker configuration with the Core acceptor on a free port (61616 may be taken),
      // in place before boot: the feature's configfile (override="false") keeps it.
      int corePort = freePort();
      options.add(replaceConfigurationFile(ARTEMIS_XML, artemisConfiguration(projectVersion, corePort)));
      options.add(systemProperty(ARTEMIS_CORE_PORT_PROPERTY).value(String.valueOf(corePort)));
      options.add(features(courierFeatures, ARTEMIS_FEATURE));
    }

    // What the test probe uses inside the container.
    options.add(mavenBundle("org.eclipse.paho", "org.eclipse.paho.client.mqttv3").versionAsInProject());
    // Paho's 5.0 client 1.2.5 exports only its top package; its API also names ...mqttv5.common(.packet)
    // and ...client.persist: the itests-paho5 module re-bundles it with every package exported (a
    // wrap: URL here raced the boot-time refresh of pax-url-wrap and the container never came up).
    options.add(mavenBundle("dev.courier", "courier-itests-paho5", projectVersion));
    options.add(mavenBundle("org.awaitility", "awaitility").versionAsInProject());
    options.add(mavenBundle("org.hamcrest", "hamcrest").versionAsInProject());
    options.add(mavenBundle("net.bytebuddy", "byte-buddy").versionAsInProject());
    options.add(mavenBundle("org.assertj", "assertj-core").versionAsInProject());
    options.addAll(List.of(extraOptions(mqttPort)));
    return options.toArray(new Option[0]);
  }

  /**
   * Whether {@code etc/dev.courier.mqtt.transport.cfg} is written before boot with host 127.0.0.1
   * and the free test port. A class that returns false gets the file the feature delivers.
   */
  protected boolean preconfigureTransport() {
    return true;
  }

  /**
   * Whether the container also installs {@code courier-mqtt-artemis} at boot: the embedded Artemis
   * broker, with the shipped {@code etc/courier-artemis.xml} whose Core acceptor is moved to a free
   * port ({@link #artemisCorePort()}), and the Artemis bridge. Runs in the test driver JVM.
   */
  protected boolean withArtemis() {
    return false;
  }

  /**
   * The shipped {@code courier-artemis.xml} (the features module's {@code xml/artemis} artifact, from
   * the build's reactor repository) with its Core acceptor on the given port, written to the build
   * directory for {@link org.ops4j.pax.exam.karaf.options.KarafDistributionOption#replaceConfigurationFile}.
   */
  private static File artemisConfiguration(String projectVersion, int corePort) {
    Path shipped = Path.of(required("itest.reactor.repo"))
        .resolve("dev/courier/courier-mqtt-features/" + projectVersion
            + "/courier-mqtt-features-" + projectVersion + "-artemis.xml");
    try {
      String xml = Files.readString(shipped, StandardCharsets.UTF_8);
      if (!xml.contains(SHIPPED_CORE_ACCEPTOR)) {
        throw new IllegalStateException(shipped + " has no acceptor " + SHIPPED_CORE_ACCEPTOR);
      }
      xml = xml.replace(SHIPPED_CORE_ACCEPTOR, "tcp://127.0.0.1:" + corePort + "?");
      Path dir = Path.of(required("itest.build.dir"), "itest-files");
      Files.createDirectories(dir);
      Path file = dir.resolve("courier-artemis-" + corePort + ".xml");
      Files.writeString(file, xml, StandardCharsets.UTF_8);
      return file.toFile();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + ARTEMIS_XML + " from " + shipped, e);
    }
  }

  /**
   * Options a test class adds to the shared configuration; runs in the test driver JVM.
   *
   * @param mqttPort the free port chosen for MQTT (the container reads it through {@link #mqttPort()})
   */
  protected Option[] extraOptions(int mqttPort) {
    return new Option[0];
  }

  /**
   * The module flags that Karaf 4.4's {@code bin/karaf} passes on Java 9+; Pax Exam starts the
   * JVM without them. Paths are relative to the Karaf base, Pax Exam's working directory.
   */
  private static String[] java17Options() {
    return new String[] {
      "--add-reads=java.xml=java.logging",
      "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
      "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + required("itest.karaf.version") + ".jar",
      "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + required("itest.karaf.version") + ".jar",
      "--add-opens", "java.base/java.security=ALL-UNNAMED",
      "--add-opens", "java.base/java.net=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/java.util=ALL-UNNAMED",
      "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
      "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
      "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
      "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
      "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
      "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
      "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
      "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
      "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
      "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
      "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
    };
  }

  private static String required(String key) {
    String value = System.getProperty(key);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("System property " + key + " is not set (run through mvn verify)");
    }
    return value;
  }

  /** A TCP port that was free a moment ago on the loopback interface. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /** The MQTT port the container's transport was configured with before boot. */
  protected int mqttPort() {
    return Integer.parseInt(required(MQTT_PORT_PROPERTY));
  }

  /** The port of the broker's Core acceptor, when {@link #withArtemis()}. */
  protected int artemisCorePort() {
    return Integer.parseInt(required(ARTEMIS_CORE_PORT_PROPERTY));
  }

  /** Disconnects and closes every client the test made, connected or not. */
  @After
  public void closeClients() {
    for (MqttClient client : clients) {
      try {
        if (client.isConnected()) {
          client.disconnectForcibly(0, 1000);
        }
        client.close(true);
      } catch (MqttException ignored) {
        // best effort: the test's outcome is already decided
      }
    }
    clients.clear();
  }

  // ---------------------------------------------------------------- container helpers

  /**
   * Asserts that a feature is installed. The features service answers getFeature with null while
   * it is still reloading its repositories (seen once right after boot), so the lookup waits for
   * an answer; the assertion is the same.
   */
  protected void assertFeatureInstalled(String name) throws Exception {
    org.apache.karaf.features.Feature feature = await().atMost(TIMEOUT)
        .alias("feature " + name + " known to the features service")
        .until(() -> featuresService.getFeature(name), java.util.Objects::nonNull);
    assertThat(featuresService.isInstalled(feature))
        .as("feature %s installed", name)
        .isTrue();
  }

  /** The bundle with a symbolic name, if installed. */
  protected Optional<Bundle> bundle(String symbolicName) {
    for (Bundle bundle : bundleContext.getBundles()) {
      if (symbolicName.equals(bundle.getSymbolicName())) {
        return Optional.of(bundle);
      }
    }
    return Optional.empty();
  }

  /** The MqttTransport service registered now, if any. */
  protected Optional<MqttTransport> currentTransport() {
    ServiceReference<MqttTransport> ref = bundleContext.getServiceReference(MqttTransport.class);
    return ref == null ? Optional.empty() : Optional.ofNullable(bundleContext.getService(ref));
  }

  /** The MqttTransport service references registered now. */
  protected List<ServiceReference<MqttTransport>> transportReferences() {
    try {
      return new ArrayList<>(bundleContext.getServiceReferences(MqttTransport.class, null));
    } catch (InvalidSyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for an MqttTransport service that satisfies a condition, and returns it. */
  protected MqttTransport awaitTransport(Predicate<MqttTransport> condition) {
    return await("MqttTransport service")
        .atMost(TIMEOUT)
        .until(() -> currentTransport().filter(condition).orElse(null), t -> t != null);
  }

  /**
   * Waits until Artemis's Karaf component has registered the started broker as an {@value
   * #ACTIVEMQ_SERVER} service, and returns its reference; a test then casts {@code
   * bundleContext.getService(reference)} to {@code ActiveMQServer} in its method body.
   *
   * <p>By name, not by type: the container installs Artemis while the test probe is already there,
   * and the probe must not link to Artemis's classes before they exist. So a test class keeps
   * Artemis types out of its method signatures and out of lambda parameters (JUnit reads every
   * declared method's signature before running any test); local variables are fine.
   */
  protected ServiceReference<?> awaitActiveMQServer() {
    return await(ACTIVEMQ_SERVER + " service")
        .atMost(ARTEMIS_TIMEOUT)
        .until(() -> bundleContext.getServiceReference(ACTIVEMQ_SERVER), ref -> ref != null);
  }

  /**
   * Waits until the transport listens on the configured test port on the Artemis bridge (the broker
   * started first), and returns it.
   */
  protected MqttTransport awaitArtemisTransport() {
    awaitActiveMQServer();
    int port = mqttPort();
    return await("MqttTransport on the artemis bridge")
        .atMost(ARTEMIS_TIMEOUT)
        .until(() -> currentTransport()
            .filter(t -> "artemis".equals(t.bridgeName()) && t.boundAddress() != null
                && t.boundAddress().getPort() == port)
            .orElse(null), t -> t != null);
  }

  // ---------------------------------------------------------------- configuration

  /** Sets keys of a configuration through ConfigurationAdmin, keeping the others. */
  protected void updateConfiguration(String pid, Map<String, ?> values) throws IOException {
    org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration(pid, null);
    Dictionary<String, Object> properties = configuration.getProperties();
    if (properties == null) {
      properties = new Hashtable<>();
    }
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      properties.put(entry.getKey(), entry.getValue());
    }
    configuration.update(properties);
  }

  /** Removes keys of a configuration through ConfigurationAdmin (their defaults apply again). */
  protected void removeConfigurationKeys(String pid, String... keys) throws IOException {
    org.osgi.service.cm.Configuration configuration = configurationAdmin.getConfiguration(pid, null);
    Dictionary<String, Object> properties = configuration.getProperties();
    if (properties == null) {
      return;
    }
    for (String key : keys) {
      properties.remove(key);
    }
    configuration.update(properties);
  }

  /** Waits until the transport listens on the configured test port. */
  protected MqttTransport awaitTransportOnTestPort() {
    int port = mqttPort();
    return awaitTransport(t -> t.boundAddress() != null && t.boundAddress().getPort() == port);
  }

  // ---------------------------------------------------------------- MQTT client helpers

  /** A fresh, unique client id with a readable prefix (≤ 23 characters, MQTT 3.1 safe). */
  protected static String clientId(String prefix) {
    String unique = UUID.randomUUID().toString().replace("-", "");
    String id = prefix + "-" + unique;
    return id.length() > 23 ? id.substring(0, 23) : id;
  }

  /** A unique topic prefix, so tests never see each other's messages or retained state. */
  protected static String uniqueTopic(String prefix) {
    return prefix + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Connect options with short timeouts, no automatic reconnect, MQTT 3.1.1. */
  protected static MqttConnectOptions options(boolean cleanSession) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(cleanSession);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    options.setAutomaticReconnect(false);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    // Paho frees an in-flight slot on its callback thread, after a synchronous publish() returned:
    // its default of 10 lets quick publishes on a loaded machine fail in the client itself.
    options.setMaxInflight(1000);
    return options;
  }

  /** A Paho client (not yet connected) to the test port, closed after the test. */
  protected MqttClient client(String clientId) throws MqttException {
    return client(clientId, mqttPort());
  }

  /** A Paho client (not yet connected) to a port on the loopback interface, closed after the test. */
  protected MqttClient client(String clientId, int port) throws MqttException {
    return clientFor("tcp://127.0.0.1:" + port, clientId);
  }

  /**
   * A Paho client (not yet connected) to a server URI such as {@code ssl://127.0.0.1:8883}, closed
   * after the test.
   */
  protected MqttClient clientFor(String serverUri, String clientId) throws MqttException {
    MqttClient client = new MqttClient(serverUri, clientId, new MemoryPersistence());
    client.setTimeToWait(TIMEOUT.toMillis());
    clients.add(client);
    return client;
  }

  /** A connected clean-session client with a recorder installed. */
  protected MqttClient connectedClient(String prefix, MessageRecorder recorder) throws MqttException {
    MqttClient client = client(clientId(prefix));
    client.setCallback(recorder);
    client.connect(options(true));
    return client;
  }

  /** Whether a TCP connection to the port on the loopback interface is accepted now. */
  protected static boolean acceptsTcp(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
