package dev.courier.mqtt.transport.internal.protocol.context;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one running transport, shared by all its connections; written on event loops, read
 * from any thread. A bound that bites is counted here, so operators can see it; the counters of
 * client-driven bounds also say when to log ({@link LogThrottle}), so that one line a minute
 * stands for all connections.
 */
public final class TransportStatistics {

  private final LongAdder outboundPauses = new LongAdder();
  private final LongAdder backlogPauses = new LongAdder();
  private final LogThrottle topicsTooLong = new LogThrottle(System::nanoTime);
  private final LogThrottle topicsTooDeep = new LogThrottle(System::nanoTime);
  private final LogThrottle publishRateThrottles = new LogThrottle(System::nanoTime);

  public void readPaused(ReadGate.Reason reason) {
    switch (reason) {
      case OUTBOUND -> outboundPauses.increment();
      case BACKLOG -> backlogPauses.increment();
      // CONNECTING, SUBSCRIBING: every connection, not a bound biting; PUBLISH_RATE is counted
      // with its log throttle, see publishRateThrottled
      default -> { }
    }
  }

  /** Times reading from a client paused because its outbound buffer was full (not writable). */
  public long outboundReadPauses() {
    return outboundPauses.sum();
  }

  /** Times reading from a client paused because {@code maxInflightMessages} publications waited. */
  public long backlogReadPauses() {
    return backlogPauses.sum();
  }

  /**
   * Counts a topic name or filter refused for {@code maxTopicLength}.
   *
   * @return how many such refusals to log now, this one included; 0: not yet
   */
  public long topicTooLong() {
    return topicsTooLong.count();
  }

  /**
   * Counts a topic name or filter refused for {@code maxTopicLevels}.
   *
   * @return how many such refusals to log now, this one included; 0: not yet
   */
  public long topicTooDeep() {
    return topicsTooDeep.count();
  }

  /**
   * Counts a client throttled for {@code maxPublishRate} (reading from it paused).
   *
   * @return how many such throttlings to log now, this one included; 0: not yet
   */
  public long publishRateThrottled() {
    return publishRateThrottles.count();
  }

  /** Times reading from a client paused because it published faster than maxPublishRate. */
  public long publishRateReadPauses() {
    return publishRateThrottles.total();
  }

  /** Topic names and filters refused for {@code maxTopicLength} since start. */
  public long topicLengthRefusals() {
    return topicsTooLong.total();
  }

  /** Topic names and filters refused for {@code maxTopicLevels} since start. */
  public long topicLevelsRefusals() {
    return topicsTooDeep.total();
  }
}
