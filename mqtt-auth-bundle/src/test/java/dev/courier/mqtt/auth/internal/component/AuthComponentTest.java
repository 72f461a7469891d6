package dev.courier.mqtt.auth.internal.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult.Outcome;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuthComponentTest {

  private final AuthComponent component = new AuthComponent();
  private static final ClientIdentity ANON = ClientIdentity.anonymous("c1");

  @AfterEach
  void deactivate() {
    component.deactivate();
  }

  private AuthenticationResult anonymousConnect() {
    return component.authenticate(new ConnectCredentials("c1", null, null, List.of(), ""))
        .toCompletableFuture().join();
  }

  private boolean maySubscribe(String filter) {
    return component.maySubscribe(ANON, filter).toCompletableFuture().join();
  }

  @Test
  void whenUnconfigured_thenOptionalAndOpenExceptSys() {
    component.activate(Map.of());

    assertThat(anonymousConnect().accepted()).isTrue();
    assertThat(maySubscribe("#")).isTrue();
    assertThat(maySubscribe("$SYS/#")).isFalse();
  }

  @Test
  void whenModifiedToRequired_thenNextConnectRefused() {
    component.activate(Map.of());

    component.modified(Map.of("authentication", "REQUIRED"));

    assertThat(anonymousConnect().outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
  }

  @Test
  void whenModifiedWithBadValue_thenPreviousConfigurationStays() {
    component.activate(Map.of("authentication", "REQUIRED"));

    component.modified(Map.of("authentication", "OPTIONAL", "maxLoginThreads", "many"));

    assertThat(anonymousConnect().outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
  }

  @Test
  void whenFirstConfigurationInvalid_thenEverythingRefusedUntilFixed() {
    component.activate(Map.of("authorization", "REQUIRED", "rules", "allow any nonsense #"));

    assertThat(anonymousConnect().accepted()).isFalse();
    assertThat(maySubscribe("a")).isFalse();
    assertThat(component.mayPublish(ANON, "a").toCompletableFuture().join()).isFalse();

    component.modified(Map.of("authorization", "REQUIRED", "rules", "allow any both #"));

    assertThat(anonymousConnect().accepted()).isTrue();
    assertThat(maySubscribe("a")).isTrue();
  }

  @Test
  void whenPahoInteropConfiguration_thenOnlyNoSubscribeRefused() {
    component.activate(Map.of(
        "authorization", "REQUIRED",
        "subscribeDenyMode", "COVERED",
        "rules", "allow any both #; deny any subscribe test/nosubscribe"));

    assertThat(maySubscribe("test/nosubscribe")).isFalse();
    assertThat(maySubscribe("#")).isTrue();
    assertThat(maySubscribe("+/+")).isTrue();
  }
}
