package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.environment;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.nio.file.Path;
import java.util.Map;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The distribution's {@code etc/org.apache.karaf.management.cfg} (the assembly's own, without the
 * {@code serviceUrl} that Karaf's file builds by substitution when the file is read): with the RMI
 * ports overridden from the environment, the JMX connector listens on those ports and a JMX client
 * reaches the MBean server there. With Karaf's file the URL kept naming the file's ports and the
 * connector did not start.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class JmxConnectorIT extends CourierKarafTestSupport {

  private static final String PORTS_PROPERTY = "itest.jmx.ports";

  @Override
  protected Option[] extraOptions(int mqttPort) {
    int registryPort = freePort();
    int serverPort = freePort();
    Path root = Path.of(System.getProperty("itest.build.dir")).getParent().getParent();
    return new Option[] {
      replaceConfigurationFile("etc/org.apache.karaf.management.cfg",
          root.resolve("assembly/src/main/karaf/assembly/etc/org.apache.karaf.management.cfg")
              .toFile()),
      replaceConfigurationFile("etc/users.properties",
          CourierSecurityTestSupport.writeDriverFile("jmx-users.properties",
              "jmx = secret,_g_:admingroup\n"
                  + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n")),
      environment("ORG_APACHE_KARAF_MANAGEMENT_RMIREGISTRYPORT=" + registryPort),
      environment("ORG_APACHE_KARAF_MANAGEMENT_RMISERVERPORT=" + serverPort),
      systemProperty(PORTS_PROPERTY).value(registryPort + "," + serverPort),
    };
  }

  @Test
  public void whenTheRmiPortsAreOverriddenFromTheEnvironment_thenJmxAnswersOnThem() {
    String[] ports = System.getProperty(PORTS_PROPERTY).split(",");
    String url = "service:jmx:rmi://127.0.0.1:" + ports[1] + "/jndi/rmi://127.0.0.1:" + ports[0]
        + "/karaf-" + System.getProperty("karaf.name");

    await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
      try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url),
          Map.of(JMXConnector.CREDENTIALS, new String[] {"jmx", "secret"}))) {
        assertThat(connector.getMBeanServerConnection().getMBeanCount()).isPositive();
      }
    });
  }
}
