package dev.courier.mqtt.transport.internal.netty;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * The JVM's memory as {@link MemoryPressure} sees it.
 *
 * <p>Heap: the tenured pools' use after their last collection (what survived, not garbage waiting
 * for the next one), as a share of their maximum. The tenured pools are the heap pools that support
 * a usage threshold, which the young pools (eden, survivor) do not; a survivor space full after a
 * young collection is normal and must not count.
 *
 * <p>Direct memory: the larger of Netty's own count against its limit (when Netty allocates
 * without cleaners and counts) and the JDK's direct buffer pool against the JVM's limit, which
 * Netty pools allocated with cleaners share with everything else in the process.
 */
final class PlatformMemoryGauge implements MemoryGauge {

  private final List<MemoryPoolMXBean> tenured;
  private final BufferPoolMXBean direct;
  /** The JVM's direct memory limit; estimated once, as Netty does it by parsing arguments. */
  private final long jvmMaxDirect;

  PlatformMemoryGauge() {
    this.tenured = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isUsageThresholdSupported()
            && pool.isCollectionUsageThresholdSupported())
        .toList();
    this.direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).findFirst().orElse(null);
    this.jvmMaxDirect = PlatformDependent.estimateMaxDirectMemory();
  }

  @Override
  public double heapPercent() {
    double highest = -1;
    for (MemoryPoolMXBean pool : tenured) {
      MemoryUsage afterGc = pool.getCollectionUsage();
      if (afterGc == null) {
        continue;
      }
      long max = afterGc.getMax() > 0 ? afterGc.getMax() : pool.getUsage().getMax();
      if (max > 0) {
        highest = Math.max(highest, percent(afterGc.getUsed(), max));
      }
    }
    return highest;
  }

  @Override
  public double directPercent() {
    double jdk = direct == null || jvmMaxDirect <= 0 ? -1
        : percent(direct.getMemoryUsed(), jvmMaxDirect);
    long counted = PlatformDependent.usedDirectMemory(); // -1 when Netty does not count
    double netty = counted < 0 ? -1 : percent(counted, PlatformDependent.maxDirectMemory());
    return Math.max(jdk, netty);
  }

  private static double percent(long used, long max) {
    return 100.0 * used / max;
  }
}
