package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's {@code memoryRefusalPercent}: refuses new connections while the heap after the
 * last garbage collection, or the direct memory, is above that share of its maximum. Connections
 * that are open are not touched.
 *
 * <p>Admission reads one volatile flag. The flag is set by sampling a {@link MemoryGauge} on one
 * event loop, which owns the sampling state: after each garbage collection (the collectors'
 * notifications hand it to the loop), and every {@link #SAMPLE_MILLIS} ms for the direct memory,
 * which no notification reports. The beginning and the end of a pressure period are logged at
 * INFO, refusals at WARN at most once a minute. Thread-safe.
 */
final class MemoryPressure implements AdmissionLimit {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryPressure.class);
  /** How often the memory is read besides after garbage collections. */
  static final long SAMPLE_MILLIS = 500;

  private final MemoryGauge gauge;
  private final EventLoop loop;
  private final long samplePeriodMillis;
  private final LongSupplier nanoClock;
  private final LogThrottle refusals;
  private final NotificationListener afterGc = (notification, handback) -> sampleSoon();

  /** The setting in force; 0: never refuse. */
  private volatile int percent;
  /** Whether new connections are refused: the last sample was above {@link #percent}. */
  private volatile boolean pressing;
  /** The last sample's readings, for the log lines. */
  private volatile double heap = -1;
  private volatile double direct = -1;

  // The loop's: the period in progress.
  private long pressingSince;
  private long refusedBefore;

  // The lifecycle thread's.
  private final List<NotificationEmitter> collectors = new ArrayList<>();
  private ScheduledFuture<?> timer;

  /**
   * @param gauge where the memory is read
   * @param loop the loop that samples; quick reads only, so any of the transport's loops
   * @param samplePeriodMillis how often to sample besides after garbage collections
   * @param nanoClock {@link System#nanoTime}, or a test's clock
   */
  MemoryPressure(MemoryGauge gauge, EventLoop loop, long samplePeriodMillis,
      LongSupplier nanoClock) {
    this.gauge = gauge;
    this.loop = loop;
    this.samplePeriodMillis = samplePeriodMillis;
    this.nanoClock = nanoClock;
    this.refusals = new LogThrottle(nanoClock);
  }

  /**
   * Applies a {@code memoryRefusalPercent} (0: never refuse); the first that is not 0 starts the
   * sampling. Called from the transport's lifecycle thread.
   */
  void refuseAbove(int newPercent) {
    percent = newPercent;
    if (newPercent > 0 && timer == null) {
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (collector instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(afterGc, null, null);
          collectors.add(emitter);
        }
      }
      timer = loop.scheduleAtFixedRate(this::sample, samplePeriodMillis, samplePeriodMillis,
          TimeUnit.MILLISECONDS);
    }
    sampleSoon();
  }

  /** Stops the sampling. Called from the transport's lifecycle thread. */
  void stop() {
    for (NotificationEmitter emitter : collectors) {
      try {
        emitter.removeNotificationListener(afterGc);
      } catch (ListenerNotFoundException gone) {
        // nothing to remove
      }
    }
    collectors.clear();
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** Samples on the loop and waits for it; for tests that change the gauge. */
  void sampleNow() {
    loop.submit(this::sample).syncUninterruptibly();
  }

  private void sampleSoon() {
    try {
      loop.execute(this::sample);
    } catch (RejectedExecutionException stopping) {
      // the transport is shutting down: nothing is admitted any more
    }
  }

  /** Reads the gauge and flips the flag; on the loop only. */
  private void sample() {
    int threshold = percent;
    double heapNow = gauge.heapPercent();
    double directNow = gauge.directPercent();
    heap = heapNow;
    direct = directNow;
    boolean over = threshold > 0 && (heapNow > threshold || directNow > threshold);
    if (over == pressing) {
      return;
    }
    pressing = over;
    if (over) {
      pressingSince = nanoClock.getAsLong();
      refusedBefore = refusals.total();
      LOG.info("Memory pressure: new MQTT connections are refused; heap {} after GC, direct"
          + " memory {} (memoryRefusalPercent {})", shown(heapNow), shown(directNow), threshold);
    } else if (threshold > 0) {
      LOG.info("Memory pressure over after {} ms, new MQTT connections are accepted again; heap"
          + " {} after GC, direct memory {} (memoryRefusalPercent {}); {} were refused",
          TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - pressingSince), shown(heapNow),
          shown(directNow), threshold, refusals.total() - refusedBefore);
    }
  }

  @Override
  public boolean refusesNew() {
    return pressing;
  }

  @Override
  public MqttConnectReturnCode mqtt5Code() {
    return MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY;
  }

  @Override
  public void refused(String clientId) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Client {} refused: memory pressure, heap {} after GC, direct memory {}"
          + " (memoryRefusalPercent {})", clientId, shown(heap), shown(direct), percent);
    }
    long report = refusals.count();
    if (report > 0) {
      LOG.warn("MQTT connections refused: {} since the last report; heap {} after GC, direct"
          + " memory {} (memoryRefusalPercent {})", report, shown(heap), shown(direct), percent);
    }
  }

  /** Connections refused for memory pressure since start. */
  long refusedConnections() {
    return refusals.total();
  }

  private static String shown(double percent) {
    return percent < 0 ? "unknown" : Math.round(percent) + "%";
  }
}
