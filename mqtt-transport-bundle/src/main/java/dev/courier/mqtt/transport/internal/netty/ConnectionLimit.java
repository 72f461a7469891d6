package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's {@code maxConnections}: counts the connections refused for it and logs them
 * through a {@link LogThrottle}, so that a flood of connections cannot flood the log. Thread-safe.
 */
final class ConnectionLimit {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

  private final LogThrottle refused = new LogThrottle(System::nanoTime);

  /** One connection refused because {@code limit} were open. */
  void refused(int limit) {
    long report = refused.count();
    if (report > 0) {
      LOG.warn("MQTT connections refused: {} since the last report; {} are open"
          + " (maxConnections)", report, limit);
    }
  }

  /** Connections refused for the limit since start. */
  long refusedConnections() {
    return refused.total();
  }

  /**
   * The process's open-file limit from the platform's operating system MBean, or -1 when it does
   * not say (not a Unix JVM). Read through JMX so the bundle imports no {@code com.sun} package.
   */
  static long openFileLimit() {
    try {
      Object value = ManagementFactory.getPlatformMBeanServer().getAttribute(
          new ObjectName(ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME),
          "MaxFileDescriptorCount");
      return value instanceof Number number ? number.longValue() : -1;
    } catch (Exception | LinkageError unknown) {
      return -1;
    }
  }
}
