package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.mqtt.transport.api.MqttTransport;
import java.util.Arrays;
import java.util.Collection;
import javax.inject.Inject;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** The container view: the feature installs, the bundle runs, the service reports what it serves. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CourierFeatureIT extends CourierKarafTestSupport {

  @Inject private ServiceComponentRuntime scr;

  @Test
  public void whenKarafBoots_thenCourierFeatureIsInstalledAndTheBundleIsActive() throws Exception {
    assertFeatureInstalled(FEATURE);
    assertFeatureInstalled("scr");
    Bundle bundle = bundle("dev.courier.mqtt.transport").orElseThrow();
    await().atMost(TIMEOUT).until(() -> bundle.getState() == Bundle.ACTIVE);
  }

  @Test
  public void whenKarafBoots_thenTransportComponentIsActiveWithItsConfiguration() {
    Bundle bundle = bundle("dev.courier.mqtt.transport").orElseThrow();
    Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(bundle);
    assertThat(descriptions).isNotEmpty();
    ComponentDescriptionDTO transport = descriptions.stream()
        .filter(d -> Arrays.asList(d.configurationPid).contains(TRANSPORT_PID))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no component with configuration PID " + TRANSPORT_PID));
    assertThat(scr.isComponentEnabled(transport)).isTrue();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(transport);
      assertThat(configurations).hasSize(1);
      ComponentConfigurationDTO configuration = configurations.iterator().next();
      assertThat(configuration.state).isEqualTo(ComponentConfigurationDTO.ACTIVE);
      assertThat(String.valueOf(configuration.properties.get("port"))).isEqualTo(String.valueOf(mqttPort()));
    });
  }

  @Test
  public void whenConfiguredBeforeBoot_thenTransportServiceIsBoundToTheConfiguredPort() {
    MqttTransport transport = awaitTransportOnTestPort();
    assertThat(transport.boundAddress().getPort()).isEqualTo(mqttPort());
    assertThat(transport.bridgeName()).isNotBlank();
    ServiceReference<MqttTransport> ref = bundleContext.getServiceReference(MqttTransport.class);
    assertThat(ref.getProperty(MqttTransport.PORT_PROPERTY)).isEqualTo(mqttPort());
    assertThat(ref.getProperty(MqttTransport.HOST_PROPERTY)).isEqualTo("127.0.0.1");
  }

  @Test
  public void whenClientsConnectAndLeave_thenTransportCountsConnectedClients() throws Exception {
    MqttTransport transport = awaitTransportOnTestPort();
    int before = transport.connectedClients();

    MqttClient first = client(clientId("count-a"));
    first.connect(options(true));
    MqttClient second = client(clientId("count-b"));
    second.connect(options(true));
    await().atMost(TIMEOUT).until(() -> transport.connectedClients() == before + 2);

    first.disconnect();
    await().atMost(TIMEOUT).until(() -> transport.connectedClients() == before + 1);
    second.disconnect();
    await().atMost(TIMEOUT).until(() -> transport.connectedClients() == before);
  }
}
