package dev.courier.mqtt.transport.internal.protocol.context;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one running transport, shared by all its connections; written on event loops, read
 * from any thread. A bound that bites is counted here, so operators can see it.
 */
public final class TransportStatistics {

  private final LongAdder outboundPauses = new LongAdder();
  private final LongAdder backlogPauses = new LongAdder();

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
}
