package dev.courier.mqtt.transport.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link TransportConfig.Builder}: a setter for every component, each setting its own component
 * only, and {@code toBuilder()} carrying every component over. Driven by the record's components,
 * so a component added without its setter (or left out of the copy) fails here.
 */
class TransportConfigBuilderTest {

  private static final TlsConfig TLS = new TlsConfig(8884, "/etc/keys.p12", "k", "PKCS12", "k",
      "", "", "PKCS12", List.of("TLSv1.3"), List.of(), TlsConfig.ClientAuth.OPTIONAL, true);

  /** A value of each component unlike its default, and unlike every other component's value. */
  private static Map<RecordComponent, Object> othersThanTheDefaults() throws Exception {
    TransportConfig defaults = TransportConfig.defaults();
    Map<RecordComponent, Object> values = new LinkedHashMap<>();
    int distinct = 7000;
    for (RecordComponent component : TransportConfig.class.getRecordComponents()) {
      Class<?> type = component.getType();
      Object value;
      if (type == boolean.class) {
        value = !(Boolean) component.getAccessor().invoke(defaults);
      } else if (type == int.class) {
        value = distinct++;
      } else if (type == long.class) {
        value = (long) distinct++;
      } else if (type == String.class) {
        value = "127.0.0." + distinct++ % 250;
      } else if (type == TlsConfig.class) {
        value = TLS;
      } else if (type == java.util.List.class) {
        value = java.util.List.of("10.0.0." + distinct++ % 250);
      } else {
        throw new AssertionError("no test value for " + component);
      }
      assertThat(value).as(component.getName()).isNotEqualTo(component.getAccessor()
          .invoke(defaults));
      values.put(component, value);
    }
    return values;
  }

  private static void set(TransportConfig.Builder builder, RecordComponent component,
      Object value) throws Exception {
    TransportConfig.Builder returned = (TransportConfig.Builder) TransportConfig.Builder.class
        .getMethod(component.getName(), component.getType()).invoke(builder, value);
    assertThat(returned).as("%s returns its builder", component.getName()).isSameAs(builder);
  }

  @Test
  void whenEverySetterIsCalled_thenEachComponentHoldsItsValue() throws Exception {
    Map<RecordComponent, Object> values = othersThanTheDefaults();
    TransportConfig.Builder builder = TransportConfig.builder();
    for (Map.Entry<RecordComponent, Object> entry : values.entrySet()) {
      set(builder, entry.getKey(), entry.getValue());
    }
    TransportConfig config = builder.build();

    for (Map.Entry<RecordComponent, Object> entry : values.entrySet()) {
      assertThat(entry.getKey().getAccessor().invoke(config)).as(entry.getKey().getName())
          .isEqualTo(entry.getValue());
    }
    assertThat(config.toBuilder().build()).as("toBuilder keeps every component")
        .isEqualTo(config);
  }

  @Test
  void whenOneSetterIsCalledOnToBuilder_thenOnlyItsComponentChanges() throws Exception {
    TransportConfig defaults = TransportConfig.defaults();
    for (Map.Entry<RecordComponent, Object> entry : othersThanTheDefaults().entrySet()) {
      TransportConfig.Builder builder = defaults.toBuilder();
      set(builder, entry.getKey(), entry.getValue());
      TransportConfig changed = builder.build();

      for (RecordComponent component : TransportConfig.class.getRecordComponents()) {
        Object expected = component.getName().equals(entry.getKey().getName()) ? entry.getValue()
            : component.getAccessor().invoke(defaults);
        assertThat(component.getAccessor().invoke(changed))
            .as("%s after setting %s", component.getName(), entry.getKey().getName())
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void whenBuiltWithAValueOutOfRange_thenBuiltAnyway_andProblemsNameTheKey() {
    TransportConfig config = TransportConfig.builder().port(70000).build();

    assertThat(config.port()).isEqualTo(70000);
    assertThat(config.problems()).singleElement().asString().startsWith("port:");
  }

  @Test
  void whenAWithMethodIsCalled_thenTheSameAsTheBuilder() {
    TransportConfig d = TransportConfig.defaults();

    assertThat(d.withTls(TLS)).isEqualTo(d.toBuilder().tls(TLS).build());
    assertThat(d.withServerLimits(1, 2, 3)).isEqualTo(d.toBuilder().topicAliasMaximum(1)
        .maxSessionExpirySeconds(2).mqtt311SessionExpirySeconds(3).build());
    assertThat(d.withBridgeLimits(2048, 5, 4096)).isEqualTo(d.toBuilder().maxQueuedBytes(2048)
        .maxRetainedMessages(5).maxRetainedBytes(4096).build());
    assertThat(d.withTopicLimits(100, 4))
        .isEqualTo(d.toBuilder().maxTopicLength(100).maxTopicLevels(4).build());
    assertThat(d.withPublishRate(7)).isEqualTo(d.toBuilder().maxPublishRate(7).build());
    assertThat(d.withAdmissionLimits(8, 50))
        .isEqualTo(d.toBuilder().maxConnectRate(8).memoryRefusalPercent(50).build());
  }
}
