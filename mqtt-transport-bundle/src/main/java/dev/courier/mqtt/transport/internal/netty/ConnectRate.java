package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's {@code maxConnectRate}: a token bucket of one second's worth of connections,
 * refilled at the rate. Kept as the time at which the bucket is full again (the generic cell rate
 * algorithm): an admission moves it one interval on with one compare-and-set, so there is no lock,
 * no allocation and no refill task. Refused connections take no token. Thread-safe.
 */
final class ConnectRate implements AdmissionLimit {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectRate.class);
  private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final int perSecond;
  /** The time one connection's token takes to come back. */
  private final long intervalNanos;
  /** How far ahead of now the full time may be: a bucket of {@code perSecond} tokens. */
  private final long burstNanos;
  private final LongSupplier nanoClock;
  /** When the bucket is full again; at or before now while it is full. */
  private final AtomicLong fullAt;
  private final LogThrottle refusals;

  /**
   * @param perSecond the rate, at least 1
   * @param nanoClock {@link System#nanoTime}, or a test's clock
   * @param refusals the transport's count of connections refused for the rate
   */
  ConnectRate(int perSecond, LongSupplier nanoClock, LogThrottle refusals) {
    this.perSecond = perSecond;
    this.intervalNanos = Math.max(1, SECOND_NANOS / perSecond);
    this.burstNanos = (perSecond - 1) * intervalNanos;
    this.nanoClock = nanoClock;
    this.fullAt = new AtomicLong(nanoClock.getAsLong());
    this.refusals = refusals;
  }

  @Override
  public boolean refusesNew() {
    long now = nanoClock.getAsLong();
    while (true) {
      long full = fullAt.get();
      // Differences only: System.nanoTime may be negative and wrap.
      long ahead = Math.max(0, full - now);
      if (ahead > burstNanos) {
        return true;
      }
      if (fullAt.compareAndSet(full, now + ahead + intervalNanos)) {
        return false;
      }
    }
  }

  @Override
  public MqttConnectReturnCode mqtt5Code() {
    return MqttConnectReturnCode.CONNECTION_REFUSED_CONNECTION_RATE_EXCEEDED;
  }

  @Override
  public void refused(String clientId) {
    LOG.debug("Client {} refused: more than {} new connections a second (maxConnectRate)",
        clientId, perSecond);
    long report = refusals.count();
    if (report > 0) {
      LOG.warn("MQTT connections refused: {} since the last report; more than {} new connections"
          + " a second (maxConnectRate)", report, perSecond);
    }
  }
}
