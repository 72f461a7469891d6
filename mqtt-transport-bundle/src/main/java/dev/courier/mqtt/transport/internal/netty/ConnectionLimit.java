package dev.courier.mqtt.transport.internal.netty;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's {@code maxConnections}: counts the connections refused for it and logs them at
 * most once a minute, with how many, so that a flood of connections cannot flood the log. Thread-
 * safe.
 */
final class ConnectionLimit {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final LongAdder refused = new LongAdder();
  private final AtomicLong unlogged = new AtomicLong();
  private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);

  /** One connection refused because {@code limit} were open. */
  void refused(int limit) {
    refused.increment();
    unlogged.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLogged.get();
    if (now - last >= INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
      long count = unlogged.getAndSet(0);
      LOG.warn("MQTT connections refused: {} since the last report; {} are open"
          + " (maxConnections)", count, limit);
    }
  }

  /** Connections refused for the limit since start. */
  long refusedConnections() {
    return refused.sum();
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
