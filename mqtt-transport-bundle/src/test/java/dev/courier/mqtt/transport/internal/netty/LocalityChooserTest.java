package dev.courier.mqtt.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorChooserFactory.EventExecutorChooser;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where new connections go: a few share the first loop, many stay balanced to within {@link
 * LocalityChooser#SLACK}.
 */
class LocalityChooserTest {

  /** Loads played by the test. */
  private static final class Played implements LocalityChooser.Load {
    final Map<EventExecutor, Integer> connections = new HashMap<>();

    @Override
    public int connections(EventExecutor loop) {
      return connections.getOrDefault(loop, 0);
    }
  }

  private static EventExecutor[] loops(int n) {
    EventExecutor[] loops = new EventExecutor[n];
    for (int i = 0; i < n; i++) {
      // distinct executors: identity is all the chooser compares
      loops[i] = new io.netty.util.concurrent.DefaultEventExecutor(
          new DefaultThreadFactory("chooser-test", true));
    }
    return loops;
  }

  @Test
  void whenFewConnections_thenAllOnTheFirstLoop_thenTheNextChunkGoesToTheEmptiest() {
    Played load = new Played();
    EventExecutor[] loops = loops(3);
    EventExecutorChooser chooser = new LocalityChooser(load).newChooser(loops);
    List<EventExecutor> chosen = new ArrayList<>();
    for (int i = 0; i < 3 * (LocalityChooser.SLACK + 1); i++) {
      EventExecutor loop = chooser.next();
      chosen.add(loop);
      load.connections.merge(loop, 1, Integer::sum);
    }
    assertThat(chosen.subList(0, LocalityChooser.SLACK + 1)).containsOnly(loops[0]);
    assertThat(chosen.get(LocalityChooser.SLACK + 1)).isSameAs(loops[1]);
    // balanced to within the slack however many come
    for (int i = 0; i < 1000; i++) {
      load.connections.merge(chooser.next(), 1, Integer::sum);
    }
    int most = load.connections.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    int fewest = load.connections.values().stream().mapToInt(Integer::intValue).min()
        .orElseThrow();
    assertThat(load.connections).hasSize(3);
    assertThat(most - fewest).isLessThanOrEqualTo(LocalityChooser.SLACK + 1);
    shutDown(loops);
  }

  @Test
  void whenOneLoop_thenAlwaysIt() {
    EventExecutor only = ImmediateEventExecutor.INSTANCE;
    EventExecutorChooser chooser = LocalityChooser.INSTANCE.newChooser(new EventExecutor[] {only});
    assertThat(chooser.next()).isSameAs(only);
  }

  @Test
  void whenRealLoops_thenTwoClientsOfAnIdleServerShareOneLoop() throws Exception {
    EventLoopGroup boss = new NioEventLoopGroup(1);
    EventLoopGroup workers = NativeTransport.nio().group(2,
        new DefaultThreadFactory("chooser-test-io", true), LocalityChooser.INSTANCE);
    EventLoopGroup clients = new NioEventLoopGroup(1);
    List<Channel> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      Channel server = new ServerBootstrap().group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              accepted.add(ch);
            }
          })
          .bind("127.0.0.1", 0).sync().channel();
      Bootstrap client = new Bootstrap().group(clients).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              // nothing to read
            }
          });
      InetSocketAddress address = (InetSocketAddress) server.localAddress();
      client.connect(address).sync();
      org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
          .until(() -> accepted.size() == 1);
      client.connect(address).sync();
      org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
          .until(() -> accepted.size() == 2);
      assertThat(accepted.get(1).eventLoop()).isSameAs(accepted.get(0).eventLoop());
      server.close().sync();
    } finally {
      clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static void shutDown(EventExecutor[] loops) {
    for (EventExecutor loop : loops) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
