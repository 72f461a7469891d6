package dev.courier.mqtt.artemis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ArtemisBridgeSettingsTest {

  @Test
  void whenNothingIsSet_thenDefaults() {
    ArtemisBridgeComponent.Settings settings = ArtemisBridgeComponent.Settings.read(Map.of());
    assertThat(settings.bridge().deliveryBuffer()).isEqualTo(256);
    assertThat(settings.bridge().threads()).isEqualTo(4);
    assertThat(settings.bridge().maxPendingOperations()).isEqualTo(10_000);
    assertThat(settings.ranking()).isEqualTo(100);
  }

  @Test
  void whenValuesAreStringsFromACfgFile_thenTheyAreParsed() {
    ArtemisBridgeComponent.Settings settings = ArtemisBridgeComponent.Settings.read(
        Map.of("deliveryBuffer", " 64 ", "threads", 2, "ranking", "-5"));
    assertThat(settings.bridge().deliveryBuffer()).isEqualTo(64);
    assertThat(settings.bridge().threads()).isEqualTo(2);
    assertThat(settings.ranking()).isEqualTo(-5);
  }

  @Test
  void whenAValueIsBad_thenTheErrorNamesItsKey() {
    assertThatThrownBy(() -> ArtemisBridgeComponent.Settings.read(Map.of("deliveryBuffer", "lots")))
        .hasMessageStartingWith("deliveryBuffer:");
    assertThatThrownBy(() -> ArtemisBridgeComponent.Settings.read(Map.of("threads", "0")))
        .hasMessageStartingWith("threads:");
  }
}
