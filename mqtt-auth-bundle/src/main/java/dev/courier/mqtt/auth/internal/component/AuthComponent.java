package dev.courier.mqtt.auth.internal.component;

import dev.courier.mqtt.auth.internal.acl.TopicPolicy;
import dev.courier.mqtt.auth.internal.config.AuthConfig;
import dev.courier.mqtt.auth.internal.config.AuthConfigReader;
import dev.courier.mqtt.auth.internal.login.ConnectAuthenticator;
import dev.courier.mqtt.auth.internal.login.DelayScheduler;
import dev.courier.mqtt.auth.internal.login.FailedLoginTracker;
import dev.courier.mqtt.auth.internal.login.JaasLoginService;
import dev.courier.mqtt.auth.internal.login.LoginExecutor;
import dev.courier.mqtt.auth.internal.scram.ScramMechanism;
import dev.courier.mqtt.auth.internal.scram.ScramStore;
import dev.courier.mqtt.transport.spi.auth.AuthenticationResult;
import dev.courier.mqtt.transport.spi.auth.Authenticator;
import dev.courier.mqtt.transport.spi.auth.Authorizer;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The auth bundle as one Declarative Services component, registered as both the transport's {@link
 * Authenticator} and its {@link Authorizer}. It reads PID {@value #PID}; each valid configuration
 * becomes an immutable {@link AuthConfig} (with its {@link TopicPolicy}) swapped in atomically, so a
 * change applies to the next CONNECT and the next topic decision without a restart.
 *
 * <p>While the configuration names a {@code scramCredentialsFile}, it also registers the SCRAM-SHA-256
 * mechanism as the transport's {@code EnhancedAuthenticator} (see {@link ScramService}); its users'
 * roles feed the same topic rules.
 *
 * <p>An invalid configuration is rejected key by key at ERROR and the previous one stays. If the
 * very first configuration is invalid there is no previous one: the component then fails closed,
 * refusing every CONNECT (0x05) and every topic, until a valid configuration arrives.
 */
@Component(
    configurationPid = AuthComponent.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    immediate = true,
    service = {Authenticator.class, Authorizer.class})
@Designate(ocd = AuthConfiguration.class)
public final class AuthComponent implements Authenticator, Authorizer {

  /** The configuration PID. */
  public static final String PID = "dev.courier.mqtt.auth";

  private static final Logger LOG = LoggerFactory.getLogger(AuthComponent.class);

  /** The configuration in force and its topic policy; null while locked down. */
  private record Active(AuthConfig config, TopicPolicy policy) {}

  private final AtomicReference<Active> active = new AtomicReference<>();
  // SCR makes a new instance per activation; the pools start their threads lazily.
  private final ScheduledThreadPoolExecutor timer;
  private final LoginExecutor loginExecutor;
  private final DelayScheduler delays;
  private final ConnectAuthenticator authenticator;
  private final FailedLoginTracker failedLogins =
      new FailedLoginTracker(System::currentTimeMillis, FailedLoginTracker.DEFAULT_CAPACITY);
  private final ScramService scram = new ScramService();
  private BundleContext bundleContext;
  private byte[] scramMockKey;

  /** Creates the pools; SCR calls {@link #activate} next. */
  public AuthComponent() {
    timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "courier-mqtt-auth-timer");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    AuthConfig defaults = AuthConfig.defaults();
    loginExecutor = new LoginExecutor(defaults.maxLoginThreads(), defaults.maxPendingLogins());
    delays = (task, delayMillis) -> {
      var future = timer.schedule(task, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
      return () -> future.cancel(false);
    };
    authenticator = new ConnectAuthenticator(new JaasLoginService(), loginExecutor, delays,
        failedLogins);
  }

  /**
   * Activates with the first configuration. One method of this name only: SCR would prefer a
   * one-argument {@code activate(Map)} and pass no bundle context.
   *
   * @param context where the SCRAM service is registered; null (tests) registers nothing
   */
  @Activate
  synchronized void activate(BundleContext context, Map<String, Object> properties) {
    this.bundleContext = context;
    AuthConfigReader.Result result = AuthConfigReader.read(properties);
    if (!result.valid()) {
      result.problems().forEach(problem -> LOG.error("Invalid configuration {} value: {}; every"
          + " MQTT CONNECT and topic is refused until it is fixed", PID, problem));
      return;
    }
    apply(result.config());
  }

  @Modified
  synchronized void modified(Map<String, Object> properties) {
    AuthConfigReader.Result result = AuthConfigReader.read(properties);
    if (!result.valid()) {
      String keeping = active.get() == null ? "every MQTT CONNECT and topic stays refused"
          : "the previous configuration stays";
      result.problems().forEach(problem ->
          LOG.error("Invalid configuration {} value rejected: {}; {}", PID, problem, keeping));
      return;
    }
    Active current = active.get();
    if (current == null || !result.config().equals(current.config())) {
      apply(result.config());
    }
  }

  @Deactivate
  synchronized void deactivate() {
    active.set(null);
    scram.unregister();
    loginExecutor.shutdown();
    timer.shutdownNow();
  }

  private void apply(AuthConfig config) {
    loginExecutor.resize(config.maxLoginThreads(), config.maxPendingLogins());
    active.set(new Active(config, config.topicPolicy()));
    scram.use(bundleContext, scramMechanism(config), config);
    LOG.info("MQTT authentication {} against realm '{}'{}, authorization {} with {} rule(s)",
        config.authentication(), config.realm(),
        config.requiredRole().isEmpty() ? "" : " requiring role '" + config.requiredRole() + "'",
        config.authorization(), config.rules().size());
  }

  /** The SCRAM mechanism of {@code config}, or null if it names no credentials file. */
  private ScramMechanism scramMechanism(AuthConfig config) {
    if (config.scramFile() == null) {
      return null;
    }
    if (scramMockKey == null) {
      scramMockKey = ScramService.mockKey(bundleContext);
    }
    return new ScramMechanism(new ScramStore(config.scramFile(), System::currentTimeMillis),
        new ScramMechanism.Settings(config.requiredRole(), config.failedLoginDelayMillis(),
            config.maxFailedLoginDelayMillis()),
        loginExecutor, delays, failedLogins, scramMockKey, ScramMechanism.randomNonces());
  }

  /** The SCRAM mechanism in force, or null. */
  ScramMechanism scram() {
    return scram.mechanism();
  }

  @Override
  public CompletionStage<AuthenticationResult> authenticate(ConnectCredentials credentials) {
    Active current = active.get();
    if (current == null) {
      return CompletableFuture.completedFuture(
          AuthenticationResult.notAuthorized("auth configuration invalid"));
    }
    return authenticator.authenticate(current.config(), credentials);
  }

  @Override
  public CompletionStage<Boolean> mayPublish(ClientIdentity client, String topic) {
    Active current = active.get();
    return CompletableFuture.completedFuture(
        current != null && current.policy().mayPublish(client, topic));
  }

  @Override
  public CompletionStage<Boolean> maySubscribe(ClientIdentity client, String filter) {
    Active current = active.get();
    return CompletableFuture.completedFuture(
        current != null && current.policy().maySubscribe(client, filter));
  }
}
