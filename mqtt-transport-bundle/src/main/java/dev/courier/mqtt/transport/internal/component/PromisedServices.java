package dev.courier.mqtt.transport.internal.component;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;

/**
 * Which services installed bundles declare that they provide ({@code osgi.service} capabilities,
 * as bnd writes them for Declarative Services components): a bundle that is installed but has not
 * registered its service yet (booting, stopped, being refreshed) still promises it. That tells the
 * transport to wait for a bridge, or to refuse clients rather than run without an authenticator.
 */
final class PromisedServices {

  static final String SERVICE_NAMESPACE = "osgi.service";

  private PromisedServices() {}

  /**
   * Whether a bundle other than {@code context}'s, and not uninstalled, declares it provides a
   * service of {@code type}.
   *
   * @return the symbolic name of the first such bundle, or null
   */
  static String promisedBy(BundleContext context, Class<?> type) {
    Bundle self = context.getBundle();
    for (Bundle bundle : context.getBundles()) {
      if (bundle.equals(self) || bundle.getState() == Bundle.UNINSTALLED) {
        continue;
      }
      BundleRevision revision = bundle.adapt(BundleRevision.class);
      if (revision == null) {
        continue;
      }
      for (BundleCapability capability : revision.getDeclaredCapabilities(SERVICE_NAMESPACE)) {
        if (names(capability.getAttributes(), type.getName())) {
          return bundle.getSymbolicName();
        }
      }
    }
    return null;
  }

  private static boolean names(Map<String, Object> attributes, String className) {
    Object classes = attributes.get("objectClass");
    if (classes instanceof Collection<?> list) {
      return list.contains(className);
    }
    if (classes instanceof String[] array) {
      return List.of(array).contains(className);
    }
    return className.equals(classes);
  }
}
