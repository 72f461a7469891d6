package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.protocol.context.LogThrottle;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a listener's (server channel's) pipeline: takes what failed while accepting
 * connections, typically "Too many open files" when the process's file limit is reached, and logs
 * it through a {@link LogThrottle} (at once, then at most once a minute with how many failures it
 * stands for), instead of Netty's generic "exceptionCaught() reached the tail of the pipeline" for
 * each. The listener stays open and keeps serving its connections: Netty's acceptor, ahead of this
 * handler, has already paused accepting for a second before the error reaches here.
 */
final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(AcceptErrorHandler.class);

  private final LogThrottle failures;

  AcceptErrorHandler() {
    this(System::nanoTime);
  }

  AcceptErrorHandler(LongSupplier nanoClock) {
    this.failures = new LogThrottle(nanoClock);
  }

  @Override
  public boolean isSharable() {
    return false;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    long report = failures.count();
    if (report == 1) {
      LOG.warn("MQTT listener {} could not accept a connection: {} (the listener stays; accepting"
          + " resumes after a pause)", ctx.channel().localAddress(), String.valueOf(cause));
    } else if (report > 1) {
      LOG.warn("MQTT listener {} could not accept connections {} times since the last report,"
          + " last: {} (the listener stays)", ctx.channel().localAddress(), report,
          String.valueOf(cause));
    }
  }

  /** Accept failures since the listener was bound. */
  long failures() {
    return failures.total();
  }

  /** Failures not logged yet (they are counted in the next log line). */
  long unlogged() {
    return failures.unlogged();
  }
}
