package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's {@code maxConnections} as one listener applies it: refuses a connection while
 * that many are open (plain and TLS together), and counts the refused ones in the transport's
 * {@link LogThrottle}, so that a flood of connections cannot flood the log. Thread-safe.
 */
final class ConnectionLimit implements AdmissionLimit {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

  private final int limit;
  private final ChannelGroup channels;
  private final LogThrottle refusals;

  /**
   * @param limit the connections held at most ({@link Integer#MAX_VALUE}: none)
   * @param channels every open client channel of the transport
   * @param refusals the transport's count of connections refused for the limit
   */
  ConnectionLimit(int limit, ChannelGroup channels, LogThrottle refusals) {
    this.limit = limit;
    this.channels = channels;
    this.refusals = refusals;
  }

  /** The limit in force ({@link Integer#MAX_VALUE}: none). */
  int limit() {
    return limit;
  }

  @Override
  public boolean refusesNew() {
    // The group drops closed channels; the new one is added after the limits are asked.
    return channels.size() >= limit;
  }

  @Override
  public MqttConnectReturnCode mqtt5Code() {
    return MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED;
  }

  @Override
  public void refused(String clientId) {
    LOG.debug("Client {} refused: {} connections are open (maxConnections)", clientId, limit);
    long report = refusals.count();
    if (report > 0) {
      LOG.warn("MQTT connections refused: {} since the last report; {} are open"
          + " (maxConnections)", report, limit);
    }
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
