package dev.courier.mqtt.transport.internal.protocol.context;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Counters of one running transport, shared by all its connections; written on event loops, read
 * from any thread. A bound that bites is counted here, so operators can see it; the counters of
 * client-driven bounds also say when to log ({@link LogThrottle}), so that one line a minute
 * stands for all connections.
 */
public final class TransportStatistics {

  private final LongAdder outboundPauses = new LongAdder();
  private final LongAdder backlogPauses = new LongAdder();
  private final LogThrottle topicsTooLong;
  private final LogThrottle topicsTooDeep;

  /** Counters whose log throttles run on {@link System#nanoTime()}. */
  public TransportStatistics() {
    this(System::nanoTime);
  }

  /** @param nanoClock the clock of the log throttles, as {@link System#nanoTime()} */
  public TransportStatistics(LongSupplier nanoClock) {
    this.topicsTooLong = new LogThrottle(nanoClock);
    this.topicsTooDeep = new LogThrottle(nanoClock);
  }

  public void readPaused(ReadGate.Reason reason) {
    switch (reason) {
      case OUTBOUND -> outboundPauses.increment();
      case BACKLOG -> backlogPauses.increment();
      default -> { } // CONNECTING: every connection, not a bound biting
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

  /** Topic names and filters refused for {@code maxTopicLength} since start. */
  public long topicLengthRefusals() {
    return topicsTooLong.total();
  }

  /** Topic names and filters refused for {@code maxTopicLevels} since start. */
  public long topicLevelsRefusals() {
    return topicsTooDeep.total();
  }
}
