package dev.courier.mqtt.auth.internal.component;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult.Outcome;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    component.activate(null, Map.of());

    assertThat(anonymousConnect().accepted()).isTrue();
    assertThat(maySubscribe("#")).isTrue();
    assertThat(maySubscribe("$SYS/#")).isFalse();
  }

  @Test
  void whenModifiedToRequired_thenNextConnectRefused() {
    component.activate(null, Map.of());

    component.modified(Map.of("authentication", "REQUIRED"));

    assertThat(anonymousConnect().outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
  }

  @Test
  void whenModifiedWithBadValue_thenPreviousConfigurationStays() {
    component.activate(null, Map.of("authentication", "REQUIRED"));

    component.modified(Map.of("authentication", "OPTIONAL", "maxLoginThreads", "many"));

    assertThat(anonymousConnect().outcome()).isEqualTo(Outcome.BAD_CREDENTIALS);
  }

  @Test
  void whenFirstConfigurationInvalid_thenEverythingRefusedUntilFixed() {
    component.activate(null, Map.of("authorization", "REQUIRED", "rules", "allow any nonsense #"));

    assertThat(anonymousConnect().accepted()).isFalse();
    assertThat(maySubscribe("a")).isFalse();
    assertThat(component.mayPublish(ANON, "a").toCompletableFuture().join()).isFalse();

    component.modified(Map.of("authorization", "REQUIRED", "rules", "allow any both #"));

    assertThat(anonymousConnect().accepted()).isTrue();
    assertThat(maySubscribe("a")).isTrue();
  }

  @Test
  void whenPahoInteropConfiguration_thenOnlyNoSubscribeRefused() {
    component.activate(null, Map.of(
        "authorization", "REQUIRED",
        "subscribeDenyMode", "COVERED",
        "rules", "allow any both #; deny any subscribe test/nosubscribe"));

    assertThat(maySubscribe("test/nosubscribe")).isFalse();
    assertThat(maySubscribe("#")).isTrue();
    assertThat(maySubscribe("+/+")).isTrue();
  }

  @Test
  void whenNoScramFileIsConfigured_thenNoEnhancedAuthenticatorIsRegistered() {
    FakeBundleContext context = new FakeBundleContext(dataDirectory);

    component.activate(context.proxy(), Map.of());

    assertThat(context.registered).isEmpty();
    assertThat(component.scram()).isNull();
  }

  @Test
  void whenAScramFileIsConfigured_thenScramIsRegistered_andUnregisteredWhenTheSettingGoes()
      throws IOException {
    Path users = dataDirectory.resolve("users");
    Files.writeString(users, "user = SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"
        + "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
        + ", ops\n");
    FakeBundleContext context = new FakeBundleContext(dataDirectory);

    component.activate(context.proxy(), Map.of("scramCredentialsFile", users.toString()));

    assertThat(context.registered).singleElement()
        .isInstanceOfSatisfying(EnhancedAuthenticator.class,
            service -> assertThat(service.methods()).containsExactly("SCRAM-SHA-256"));
    assertThat(Files.size(dataDirectory.resolve(ScramService.MOCK_KEY_FILE))).isEqualTo(32);

    component.modified(Map.of("scramCredentialsFile", users.toString(), "requiredRole", "ops"));
    assertThat(context.registered).as("still the one registration").hasSize(1);
    assertThat(component.scram().offers("SCRAM-SHA-256")).isTrue();

    component.modified(Map.of());
    assertThat(context.registered).isEmpty();
    assertThat(component.scram()).isNull();
  }

  @Test
  void whenRestarted_thenTheMockKeyIsKept() throws IOException {
    byte[] first = ScramService.mockKey(new FakeBundleContext(dataDirectory).proxy());
    byte[] again = ScramService.mockKey(new FakeBundleContext(dataDirectory).proxy());

    assertThat(again).hasSize(32).isEqualTo(first);
  }

  @TempDir
  Path dataDirectory;

  /** A bundle context that hands out data files and records registrations. */
  private static final class FakeBundleContext {
    final List<Object> registered = new ArrayList<>();
    private final Path data;

    FakeBundleContext(Path data) {
      this.data = data;
    }

    BundleContext proxy() {
      return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {BundleContext.class}, (self, method, args) -> switch (method.getName()) {
            case "getDataFile" -> data.resolve((String) args[0]).toFile();
            case "registerService" -> registration(args[1]);
            default -> throw new UnsupportedOperationException(method.getName());
          });
    }

    private ServiceRegistration<?> registration(Object service) {
      registered.add(service);
      return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {ServiceRegistration.class}, (self, method, args) -> {
            if (method.getName().equals("unregister")) {
              registered.remove(service);
              return null;
            }
            throw new UnsupportedOperationException(method.getName());
          });
    }
  }
}
