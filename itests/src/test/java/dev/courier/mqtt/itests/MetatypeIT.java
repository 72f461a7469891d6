package dev.courier.mqtt.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Every setting of every Courier PID (transport, auth, Artemis bridge) is described by metatype,
 * as Karaf's {@code config:edit} and the Felix web console read it through the MetaTypeService:
 * each key of the file a feature ships is an attribute with a description, the file's value is
 * the attribute's default, and the ranges are checked by the attribute.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetatypeIT extends CourierSecurityTestSupport {

  private static final String ARTEMIS_PID = "dev.courier.mqtt.artemis";

  @Inject private MetaTypeService metaTypes;

  @Override
  protected boolean withArtemis() {
    return true;
  }

  /** The project version inside the container, where the shipped files are resolved. */
  @Override
  protected Option[] securityOptions(int mqttPort) {
    return new Option[] {systemProperty(VERSION_PROPERTY)
        .value(System.getProperty("itest.project.version"))};
  }

  private static final String VERSION_PROPERTY = "courier.itest.version";

  /** The auth feature writes its own default file. */
  @Override
  protected Map<String, String> authConfigurationAtBoot() {
    return null;
  }

  @Test
  public void whenTheFeaturesAreInstalled_thenEveryShippedKeyIsDescribedWithTheFilesValue()
      throws Exception {
    assertDescribed(TRANSPORT_PID, "dev.courier.mqtt.transport", "transport");
    assertDescribed(AUTH_PID, AUTH_BSN, "auth");
    assertDescribed(ARTEMIS_PID, "dev.courier.mqtt.artemis", "artemis-bridge");
  }

  @Test
  public void whenAValueIsOutOfItsRange_thenTheAttributeSaysSo() throws Exception {
    Map<String, AttributeDefinition> transport =
        attributes(TRANSPORT_PID, "dev.courier.mqtt.transport");
    assertThat(transport.get("port").validate("65535")).isEmpty();
    assertThat(transport.get("port").validate("65536")).isNotEmpty();
    assertThat(transport.get("websocketPort").validate("-1")).isEmpty();
    assertThat(transport.get("websocketPort").validate("-2")).isNotEmpty();
    assertThat(transport.get("ioThreads").validate("1025")).isNotEmpty();
    assertThat(transport.get("memoryRefusalPercent").validate("100")).isNotEmpty();
    Map<String, AttributeDefinition> artemis = attributes(ARTEMIS_PID, "dev.courier.mqtt.artemis");
    assertThat(artemis.get("deliveryBuffer").validate("0")).isNotEmpty();
    assertThat(artemis.get("deliveryBuffer").validate("256")).isEmpty();
  }

  /**
   * @param classifier the shipped file's classifier in the features artifact: read from the very
   *     artifact the feature's configfile installs (the transport's file in etc/ was written by
   *     the test support before boot, so that the feature left it alone)
   */
  private void assertDescribed(String pid, String bsn, String classifier) throws Exception {
    Map<String, AttributeDefinition> attributes = attributes(pid, bsn);
    assertThat(attributes.values()).as("%s: every attribute has a description", pid)
        .allSatisfy(ad -> assertThat(ad.getDescription()).as(ad.getID()).isNotBlank());

    Properties shipped = new Properties();
    String file = "mvn:dev.courier/courier-mqtt-features/" + System.getProperty(VERSION_PROPERTY)
        + "/cfg/" + classifier;
    try (InputStream in = new URL(file).openStream()) {
      shipped.load(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
    }
    assertThat(shipped.stringPropertyNames()).as("%s: the shipped file's keys", pid).isNotEmpty();
    Map<String, String> mismatches = new TreeMap<>();
    for (String key : shipped.stringPropertyNames()) {
      AttributeDefinition ad = attributes.get(key);
      if (ad == null) {
        mismatches.put(key, "not described by metatype");
        continue;
      }
      String value = shipped.getProperty(key).trim();
      String[] defaults = ad.getDefaultValue();
      String described = defaults == null ? ""
          : Arrays.stream(defaults).map(String::trim).collect(Collectors.joining(","));
      if (!normalized(value).equals(normalized(described))) {
        mismatches.put(key, "file '" + value + "', metatype default '" + described + "'");
      }
      String verdict = ad.validate(value.isEmpty() || ad.getCardinality() != 0 ? described : value);
      if (verdict != null && !verdict.isEmpty()) {
        mismatches.put(key, "its own value is refused: " + verdict);
      }
    }
    assertThat(mismatches).as("%s (%s)", pid, file).isEmpty();
  }

  /** Lists as the file writes them: comma-separated, spaces after commas ignored. */
  private static String normalized(String value) {
    return value.replaceAll("\\s*,\\s*", ",");
  }

  private Map<String, AttributeDefinition> attributes(String pid, String bsn) {
    Bundle bundle = Arrays.stream(bundleContext.getBundles())
        .filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
        .orElseThrow(() -> new AssertionError("no bundle " + bsn));
    MetaTypeInformation information = metaTypes.getMetaTypeInformation(bundle);
    assertThat(information.getPids()).as(bsn).contains(pid);
    ObjectClassDefinition ocd = information.getObjectClassDefinition(pid, null);
    return Arrays.stream(ocd.getAttributeDefinitions(ObjectClassDefinition.ALL))
        .collect(Collectors.toMap(AttributeDefinition::getID, ad -> ad));
  }
}
