package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.context.ConnectionContext;
import dev.courier.mqtt.transport.internal.protocol.context.ReadGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code maxPublishRate} of one connection: a token bucket of a second's worth of PUBLISH packets,
 * refilled at the rate by the connection's clock. A publication that finds no token is still
 * processed (it was read already), but reading from the client pauses ({@link
 * ReadGate.Reason#PUBLISH_RATE}) until a token is back, by a task on the connection's own loop:
 * the client is slowed down, never refused or disconnected. What it sent before the pause took
 * effect (the rest of a read) is taken on credit, and the pause lasts until that is paid back, so
 * that the rate holds on average however the client batches.
 *
 * <p>Tokens are counted in billionths, so that the refill of any number of nanoseconds at any rate
 * is exact in a {@code long}. Used on the connection's thread only: no lock; one arrival costs a
 * clock read and a few arithmetic operations, and allocates nothing.
 */
final class PublishRate {

  private static final Logger LOG = LoggerFactory.getLogger(PublishRate.class);

  /** One token, in the bucket's unit; also nanoseconds per second. */
  private static final long TOKEN = 1_000_000_000L;

  private final ConnectionContext context;
  /** Tokens per second; also the refill in the bucket's unit per nanosecond. */
  private final long rate;
  /** A second's worth of tokens. */
  private final long capacity;
  private final Runnable resumeTask = this::resume;
  /** In the bucket's unit; negative while publications taken on credit are not paid back. */
  private long tokens;
  /** When {@link #tokens} was last refilled, by the connection's clock. */
  private long refilledAt;

  /**
   * @param rate PUBLISH packets per second, at least 1 and at most {@code
   *     TransportConfig.MAX_PUBLISH_RATE}
   */
  PublishRate(ConnectionContext context, int rate) {
    this.context = context;
    this.rate = rate;
    this.capacity = rate * TOKEN;
    this.tokens = capacity;
    this.refilledAt = context.nanoTime();
  }

  /** A PUBLISH arrived: takes its token, and pauses reading if there was none. */
  void arrived() {
    refill();
    tokens -= TOKEN;
    if (tokens < 0 && context.gate().pause(ReadGate.Reason.PUBLISH_RATE)) {
      long delay = untilToken();
      LOG.debug("Client {} publishes faster than maxPublishRate {}/s: reading paused for {} ms",
          context.clientId(), rate, delay / 1_000_000);
      long report = context.parts().statistics().publishRateThrottled();
      if (report > 0) {
        LOG.info("Publishers throttled for maxPublishRate {}/s: {} times since the last report,"
            + " the latest client {}", rate, report, context.clientId());
      }
      context.schedule(resumeTask, delay);
    }
  }

  /** The pause is due to end; publications read meanwhile may have made it longer. */
  private void resume() {
    if (context.closed()) {
      return;
    }
    refill();
    if (tokens < TOKEN) {
      context.schedule(resumeTask, untilToken());
    } else {
      context.gate().resume(ReadGate.Reason.PUBLISH_RATE);
    }
  }

  /** Nanoseconds until the bucket holds a whole token again; positive while it does not. */
  private long untilToken() {
    return (TOKEN - tokens + rate - 1) / rate;
  }

  private void refill() {
    long now = context.nanoTime();
    long elapsed = now - refilledAt;
    refilledAt = now;
    if (elapsed <= 0) {
      return;
    }
    long missing = capacity - tokens;
    // elapsed * rate would pass missing (and might overflow): the bucket is full.
    tokens = elapsed > missing / rate ? capacity : tokens + elapsed * rate;
  }
}
