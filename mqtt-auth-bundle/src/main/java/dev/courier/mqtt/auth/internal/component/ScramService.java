package dev.courier.mqtt.auth.internal.component;

import dev.courier.mqtt.auth.internal.config.AuthConfig;
import dev.courier.mqtt.auth.internal.scram.ScramMechanism;
import dev.courier.mqtt.transport.spi.auth.AuthExchange;
import dev.courier.mqtt.transport.spi.auth.ClientIdentity;
import dev.courier.mqtt.transport.spi.auth.ConnectCredentials;
import dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCRAM-SHA-256 mechanism as the transport's {@link EnhancedAuthenticator} service: registered
 * while the configuration names a credentials file, unregistered when it stops doing so. The
 * registered object forwards to the mechanism of the configuration in force, so a change applies
 * to the next exchange without re-registering. Its methods are called on event loops and only
 * read an atomic reference.
 */
final class ScramService implements EnhancedAuthenticator {

  /** The bundle data file holding the key from which unknown users' salts are derived. */
  static final String MOCK_KEY_FILE = "scram-mock-key";

  private static final Logger LOG = LoggerFactory.getLogger(ScramService.class);

  private final AtomicReference<ScramMechanism> current = new AtomicReference<>();
  private ServiceRegistration<EnhancedAuthenticator> registration;

  /** The mechanism in force, or null while SCRAM is not configured. */
  ScramMechanism mechanism() {
    return current.get();
  }

  /**
   * Puts {@code mechanism} (null: none) in force and registers or unregisters the service.
   *
   * @param context where to register; null registers nothing (tests)
   */
  synchronized void use(BundleContext context, ScramMechanism mechanism, AuthConfig config) {
    current.set(mechanism);
    if (mechanism != null && registration == null && context != null) {
      registration = context.registerService(EnhancedAuthenticator.class, this, null);
    } else if (mechanism == null) {
      unregister();
    }
    if (mechanism != null) {
      LOG.info("MQTT enhanced authentication {} offered to the {} user(s) of scramCredentialsFile"
          + " {}", ScramMechanism.METHOD, mechanism.users(), config.scramFile());
    }
  }

  synchronized void unregister() {
    current.set(null);
    if (registration != null) {
      try {
        registration.unregister();
      } catch (IllegalStateException alreadyGone) {
        LOG.debug("SCRAM service was already unregistered");
      }
      registration = null;
    }
  }

  @Override
  public Set<String> methods() {
    ScramMechanism mechanism = current.get();
    return mechanism == null ? Set.of() : mechanism.methods();
  }

  @Override
  public AuthExchange begin(String method, ConnectCredentials credentials,
      ClientIdentity reauthenticating) {
    ScramMechanism mechanism = current.get();
    if (mechanism == null) {
      throw new IllegalStateException("SCRAM is not configured any more");
    }
    return mechanism.begin(method, credentials, reauthenticating);
  }

  /**
   * The key unknown users' salts are derived from: kept in the bundle's data area so that it
   * survives restarts (a salt that changed would tell that the user does not exist); random for
   * this run only where there is no data area.
   */
  static byte[] mockKey(BundleContext context) {
    File file = context == null ? null : context.getDataFile(MOCK_KEY_FILE);
    try {
      if (file != null && file.isFile() && file.length() == 32) {
        return Files.readAllBytes(file.toPath());
      }
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      if (file != null) {
        Files.write(file.toPath(), key);
      }
      return key;
    } catch (IOException e) {
      LOG.warn("SCRAM mock key {} cannot be kept ({}); a new one is used until the next start",
          file, e.toString());
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      return key;
    }
  }
}
