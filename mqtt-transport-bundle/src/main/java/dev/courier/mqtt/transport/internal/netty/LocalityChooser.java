package dev.courier.mqtt.transport.internal.netty;

import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory;

/**
 * Which event loop a new connection gets: the first loop that holds at most {@link #SLACK} more
 * connections than the emptiest one.
 *
 * <p>Netty's own chooser deals connections out in turn, so with two loops a publisher and its
 * subscriber always sit on different loops, and every delivery between them wakes another
 * processor: on the 2-core test machine that was the whole QoS 1 tail at 5,000 msgs/s (p99
 * 1.7-2.7 ms, against about 0.5-0.9 ms on one loop). Filling the loops in chunks keeps a handful of
 * clients on one loop, and many clients (a connect storm too) stay balanced to within about
 * {@link #SLACK} per loop.
 *
 * <p>The counts are the loops' registered channels, read from the acceptor's thread while the
 * loops change them (a plain read of a size, never a task handed to the loop): a stale count only
 * places one connection less well, never wrongly. During a storm, registrations not yet run are
 * not counted, so the chunks grow a little.
 */
final class LocalityChooser implements EventExecutorChooserFactory {

  /** Connections a loop may hold above the emptiest loop and still be chosen first. */
  static final int SLACK = 64;

  /** The load of one loop, as the chooser reads it. */
  interface Load {
    int connections(EventExecutor loop);
  }

  private static final Load NETTY = loop ->
      loop instanceof SingleThreadEventLoop l ? Math.max(0, l.registeredChannels()) : 0;

  /** Declared after {@link #NETTY}, which it reads. */
  static final LocalityChooser INSTANCE = new LocalityChooser();

  private final Load load;

  private LocalityChooser() {
    this(NETTY);
  }

  /** A chooser reading {@code load} (tests). */
  LocalityChooser(Load load) {
    this.load = load;
  }

  @Override
  public EventExecutorChooser newChooser(EventExecutor[] executors) {
    EventExecutor[] loops = executors.clone();
    if (loops.length == 1) {
      return () -> loops[0];
    }
    return () -> choose(loops);
  }

  private EventExecutor choose(EventExecutor[] loops) {
    int fewest = Integer.MAX_VALUE;
    for (EventExecutor loop : loops) {
      fewest = Math.min(fewest, load.connections(loop));
    }
    for (EventExecutor loop : loops) {
      if (load.connections(loop) <= fewest + SLACK) {
        return loop;
      }
    }
    return loops[0]; // counts moved under our feet: any loop will do
  }
}
