package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.ops4j.pax.exam.Option;

/**
 * Base of the tests that need the {@code courier-mqtt-auth} feature: installs it at boot beside
 * {@code courier-mqtt}, replaces {@code etc/users.properties} with the test users below (the {@code
 * karaf} realm), and lets a class write its {@code etc/dev.courier.mqtt.auth.cfg} before boot.
 *
 * <p>Users (password {@value #PASSWORD} for all):
 *
 * <ul>
 *   <li>{@code alice}: group {@code sensorsgroup}, whose role is {@code sensors};
 *   <li>{@code bob}: role {@code readers} directly;
 *   <li>{@code admin}: group {@code admingroup}, role {@code admin} among others.
 * </ul>
 */
public abstract class CourierSecurityTestSupport extends CourierKarafTestSupport {

  /** The feature under test here. */
  public static final String AUTH_FEATURE = "courier-mqtt-auth";

  /** Configuration PID of the auth bundle. */
  public static final String AUTH_PID = "dev.courier.mqtt.auth";

  /** Symbolic name of the auth bundle. */
  public static final String AUTH_BSN = "dev.courier.mqtt.auth";

  /** Every test user's password. */
  public static final String PASSWORD = "secret";

  /** CONNACK 0x04 (3.1.1 "bad user name or password") as Paho reports it. */
  public static final int BAD_CREDENTIALS = MqttException.REASON_CODE_FAILED_AUTHENTICATION;

  /** The test users, in Karaf's {@code users.properties} format ({@code user = password,role|_g_:group,...}). */
  private static final String USERS =
      String.join(
          "\n",
          "# written by the integration tests",
          "alice = " + PASSWORD + ",_g_:sensorsgroup",
          "bob = " + PASSWORD + ",readers",
          "admin = " + PASSWORD + ",_g_:admingroup",
          "_g_\\:sensorsgroup = group,sensors",
          "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh",
          "");

  @Override
  protected final Option[] extraOptions(int mqttPort) {
    List<Option> options = new ArrayList<>();
    String projectVersion = System.getProperty("itest.project.version");
    options.add(
        features(
            maven("dev.courier", "courier-mqtt-features", projectVersion)
                .classifier("features")
                .type("xml"),
            AUTH_FEATURE));
    options.add(replaceConfigurationFile("etc/users.properties", writeDriverFile("users.properties", USERS)));
    // Written before boot; the feature's configfile (override="false") leaves it alone. Failed
    // logins are slowed down by at most a second here, so that refusal tests stay quick.
    Map<String, String> atBoot = authConfigurationAtBoot();
    if (atBoot != null) {
      Map<String, String> authCfg = new TreeMap<>(atBoot);
      authCfg.putIfAbsent("failedLoginDelayMillis", "100");
      authCfg.putIfAbsent("maxFailedLoginDelayMillis", "1000");
      for (Map.Entry<String, String> entry : authCfg.entrySet()) {
        options.add(editConfigurationFilePut("etc/" + AUTH_PID + ".cfg", entry.getKey(), entry.getValue()));
      }
    }
    options.addAll(List.of(securityOptions(mqttPort)));
    return options.toArray(new Option[0]);
  }

  /**
   * Keys of {@code etc/dev.courier.mqtt.auth.cfg} written before boot, or null to let the feature
   * write its default file; runs in the test driver JVM.
   */
  protected Map<String, String> authConfigurationAtBoot() {
    return Map.of("authentication", "OPTIONAL", "authorization", "NOT_REQUIRED");
  }

  /** Further options of a test class; runs in the test driver JVM. */
  protected Option[] securityOptions(int mqttPort) {
    return new Option[0];
  }

  /** A file in the build directory, written by the driver JVM for the container to copy. */
  protected static File writeDriverFile(String name, String content) {
    try {
      Path dir = Path.of(System.getProperty("itest.build.dir"), "itest-files");
      Files.createDirectories(dir);
      Path file = dir.resolve(name);
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file.toFile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- configuration

  /** Sets keys of the auth bundle's configuration. */
  protected void updateAuthConfiguration(Map<String, ?> values) throws IOException {
    updateConfiguration(AUTH_PID, values);
  }

  // ---------------------------------------------------------------- MQTT clients

  /** Connect options with a user name and password (either may be null). */
  protected static MqttConnectOptions options(String username, String password) {
    MqttConnectOptions options = options(true);
    if (username != null) {
      options.setUserName(username);
    }
    if (password != null) {
      options.setPassword(password.toCharArray());
    }
    return options;
  }

  /** A client connected to the plain port as a user (null: anonymously). */
  protected MqttClient connectAs(String prefix, String username, String password, MessageRecorder recorder)
      throws MqttException {
    MqttClient client = client(clientId(prefix));
    if (recorder != null) {
      client.setCallback(recorder);
    }
    client.connect(options(username, password));
    return client;
  }

  /**
   * The CONNACK refusal code Paho reported for a connection attempt, or -1 if it connected (it is
   * then disconnected again).
   */
  protected int connectResult(String username, String password) throws MqttException {
    MqttClient client = client(clientId("try"));
    Throwable failure = catchThrowable(() -> client.connect(options(username, password)));
    if (failure == null) {
      client.disconnect();
      return -1;
    }
    assertThat(failure).isInstanceOf(MqttException.class);
    return ((MqttException) failure).getReasonCode();
  }

  /** Asserts that a connection attempt is refused with 0x04 as a security exception. */
  protected void assertRefusedAsBadCredentials(String username, String password) throws MqttException {
    MqttClient client = client(clientId("refused"));
    Throwable failure = catchThrowable(() -> client.connect(options(username, password)));
    assertThat(failure)
        .as("CONNECT as %s", username == null ? "anonymous" : username)
        .isInstanceOf(MqttSecurityException.class);
    assertThat(((MqttException) failure).getReasonCode()).isEqualTo(BAD_CREDENTIALS);
    assertThat(client.isConnected()).isFalse();
  }
}
