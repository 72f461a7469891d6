package dev.courier.mqtt.transport.internal.netty;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutorChooserFactory;
import io.netty.util.concurrent.ThreadPerTaskExecutor;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.ThreadFactory;

/**
 * Which Netty transport the listeners run on: epoll where its native library loads (Linux, with
 * the feature {@code courier-mqtt-epoll}, which the distribution installs), fewer system calls and
 * no selector garbage; Java NIO everywhere else. The system property {@value #PROPERTY}{@code
 * =false} forces NIO. The epoll classes are touched only after {@link #epoll()} said yes, so the
 * bundle runs without them (its package is imported dynamically).
 */
final class NativeTransport {

  static final String PROPERTY = "courier.mqtt.epoll";

  private final boolean epoll;

  private NativeTransport(boolean epoll) {
    this.epoll = epoll;
  }

  /** The transport of this process: epoll if allowed and available, else NIO. */
  static NativeTransport detect() {
    return new NativeTransport(
        !"false".equalsIgnoreCase(System.getProperty(PROPERTY)) && epollAvailable());
  }

  /** Java NIO, whatever the platform. */
  static NativeTransport nio() {
    return new NativeTransport(false);
  }

  private static boolean epollAvailable() {
    try {
      return Epoll.isAvailable();
    } catch (LinkageError absent) {
      return false; // no epoll classes in this container
    }
  }

  boolean epoll() {
    return epoll;
  }

  String name() {
    return epoll ? "epoll" : "nio";
  }

  EventLoopGroup group(int threads, ThreadFactory threadFactory) {
    return epoll ? new EpollEventLoopGroup(threads, threadFactory)
        : new NioEventLoopGroup(threads, threadFactory);
  }

  /** The same, with new connections placed by {@code chooser}. */
  EventLoopGroup group(int threads, ThreadFactory threadFactory,
      EventExecutorChooserFactory chooser) {
    ThreadPerTaskExecutor executor = new ThreadPerTaskExecutor(threadFactory);
    return epoll
        ? new EpollEventLoopGroup(threads, executor, chooser, DefaultSelectStrategyFactory.INSTANCE)
        : new NioEventLoopGroup(threads, executor, chooser, SelectorProvider.provider(),
            DefaultSelectStrategyFactory.INSTANCE);
  }

  Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }
}
