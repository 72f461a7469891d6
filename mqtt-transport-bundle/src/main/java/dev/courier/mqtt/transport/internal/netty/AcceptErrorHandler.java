package dev.courier.mqtt.transport.internal.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a listener's (server channel's) pipeline: takes what failed while accepting
 * connections, typically "Too many open files" when the process's file limit is reached, and logs
 * it at most once per interval with how many failures it stands for, instead of Netty's generic
 * "exceptionCaught() reached the tail of the pipeline" for each. The listener stays open and keeps
 * serving its connections: Netty's acceptor, ahead of this handler, has already paused accepting
 * for a second before the error reaches here. Used on the listener's event loop only.
 */
final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(AcceptErrorHandler.class);

  /** How often a persisting accept failure is logged. */
  static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final LongSupplier nanoClock;
  private long lastLoggedNanos;
  private boolean loggedOnce;
  private long failuresSinceLog;
  private long failures;

  AcceptErrorHandler() {
    this(System::nanoTime);
  }

  AcceptErrorHandler(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public boolean isSharable() {
    return false;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failures++;
    failuresSinceLog++;
    long now = nanoClock.getAsLong();
    if (loggedOnce && now - lastLoggedNanos < INTERVAL_NANOS) {
      return;
    }
    SocketAddress listener = ctx.channel().localAddress();
    if (failuresSinceLog == 1) {
      LOG.warn("MQTT listener {} could not accept a connection: {} (the listener stays; accepting"
          + " resumes after a pause)", listener, String.valueOf(cause));
    } else {
      LOG.warn("MQTT listener {} could not accept connections {} times in the last {} s, last: {}"
          + " (the listener stays)", listener, failuresSinceLog,
          TimeUnit.NANOSECONDS.toSeconds(now - lastLoggedNanos), String.valueOf(cause));
    }
    loggedOnce = true;
    lastLoggedNanos = now;
    failuresSinceLog = 0;
  }

  /** Accept failures since the listener was bound. */
  long failures() {
    return failures;
  }

  /** Failures not logged yet (they are counted in the next log line). */
  long unlogged() {
    return failuresSinceLog;
  }
}
