package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * {@code courier-mqtt-auth} as shipped: its {@code <configfile>} writes the commented default
 * {@code etc/dev.courier.mqtt.auth.cfg} with every key, and those defaults let anonymous clients in
 * (authentication OPTIONAL), still refuse a wrong password, open every topic but keep {@code $SYS/#}
 * for the admin role.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthenticationDefaultConfigIT extends CourierSecurityTestSupport {

  private static final String[] KEYS = {
    "authentication", "realm", "requiredRole", "authorization", "adminRole", "rules",
    "subscribeDenyMode", "loginTimeoutSeconds", "maxLoginThreads", "maxPendingLogins",
    "failedLoginDelayMillis", "maxFailedLoginDelayMillis",
  };

  @Override
  protected Map<String, String> authConfigurationAtBoot() {
    return null;
  }

  @Test
  public void whenFeatureIsInstalled_thenDefaultConfigFileWithEveryKeyIsWritten() throws Exception {
    Path cfg = Paths.get(System.getProperty("karaf.etc"), AUTH_PID + ".cfg");
    assertThat(cfg).exists();
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(cfg, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    assertThat(properties.stringPropertyNames()).contains(KEYS);
    assertThat(properties.getProperty("authentication")).isEqualTo("OPTIONAL");
    assertThat(properties.getProperty("authorization")).isEqualTo("NOT_REQUIRED");
    assertThat(properties.getProperty("realm")).isEqualTo("karaf");
    assertThat(properties.getProperty("adminRole")).isEqualTo("admin");
  }

  @Test
  public void whenShippedDefaultsApply_thenAnonymousConnectsAndOnlyTheAdminReadsSys() throws Exception {
    awaitTransportOnTestPort();
    MqttClient anonymous = connectAs("anon", null, null, null);
    assertThat(anonymous.subscribeWithResponse("any/topic/#", 1).getGrantedQos()[0]).isEqualTo(1);
    assertThat(anonymous.subscribeWithResponse("$SYS/#", 0).getGrantedQos()[0]).isEqualTo(0x80);

    MqttClient admin = connectAs("admin", "admin", PASSWORD, null);
    assertThat(admin.subscribeWithResponse("$SYS/#", 0).getGrantedQos()[0]).isEqualTo(0);

    assertRefusedAsBadCredentials("alice", "wrong");
  }
}
