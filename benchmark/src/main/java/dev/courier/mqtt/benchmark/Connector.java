package dev.courier.mqtt.benchmark;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Opens the connections of the connection scenarios: as fast as the broker takes them, with at most
 * {@code --connect-inflight} connects awaiting their CONNACK (or SUBACK) at a time, each bounded by
 * {@code --connect-timeout}. With {@code --source-addresses k} connection i is bound to 127.0.0.(i
 * mod k + 1), port 0, so the ~28k ephemeral ports of one local address do not cap the count. Used
 * by the runner thread; completions release the in-flight permits from the event loops.
 */
final class Connector {

    private final EventLoopGroup group;
    private final InetSocketAddress remote;
    /** Local addresses to bind, round robin; empty: the kernel chooses. */
    private final List<InetSocketAddress> locals = new ArrayList<>();
    private final int inflight;
    private final long timeoutNanos;
    private final Bootstrap bootstrap;
    private final int maxBytes;

    Connector(BenchmarkOptions options, EventLoopGroup group) {
        this.group = group;
        this.remote = new InetSocketAddress(options.host(), options.port());
        if (options.sourceAddresses() > 1) {
            for (int i = 1; i <= options.sourceAddresses(); i++) {
                locals.add(new InetSocketAddress("127.0.0." + i, 0));
            }
        }
        this.inflight = options.connectInflight();
        this.timeoutNanos = (long) (options.connectTimeoutSeconds() * 1e9);
        this.maxBytes = Math.max(64 * 1024, options.payload() + 16 * 1024);
        this.bootstrap = new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            // a bound port still in TIME_WAIT from an earlier phase may be bound again
            .option(ChannelOption.SO_REUSEADDR, !locals.isEmpty())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000));
    }

    /**
     * Connects every client and returns when each one is ready or has failed (a failed connect, a
     * refusing CONNACK, no CONNACK within --connect-timeout: {@link BenchClient#failureKind()} says
     * which).
     *
     * @return {@code System.nanoTime()} when the first connect started
     */
    long connectAll(List<? extends BenchClient> clients) throws InterruptedException {
        Semaphore permits = new Semaphore(inflight);
        // every connect ends within its timeout, so a permit that is not back by twice that never
        // comes
        long stall = 2 * timeoutNanos + TimeUnit.SECONDS.toNanos(5);
        long start = System.nanoTime();
        int i = 0;
        for (BenchClient c : clients) {
            if (!permits.tryAcquire(stall, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException(
                    "connects stalled: no CONNACK, failure or timeout for "
                    + stall / 1_000_000_000 + " s");
            }
            c.ready.whenComplete((v, e) -> permits.release());
            try {
                connect(c, locals.isEmpty() ? null : locals.get(i % locals.size()));
            } catch (RuntimeException e) {
                c.fail("connect: " + rootMessage(e), "connect failed: " + rootMessage(e));
            }
            i++;
        }
        if (!permits.tryAcquire(inflight, stall, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("the last connects did not end within "
                + stall / 1_000_000_000
                + " s");
        }
        return start;
    }

    private void connect(BenchClient c, InetSocketAddress local) {
        EventLoop loop = group.next();
        c.connectStartNanos = System.nanoTime();
        Bootstrap b = bootstrap.clone(loop).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("decoder", new MqttDecoder(maxBytes));
                ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                ch.pipeline().addLast("client", c);
            }
        });
        ChannelFuture f = local == null ? b.connect(remote) : b.connect(remote, local);
        f.addListener(cf -> {
            if (!cf.isSuccess()) {
                String why = rootMessage(cf.cause());
                c.fail("connect: " + why, "connect to " + remote
                    + (local == null ? "" : " from " + local)
                    + " failed: " + why);
            }
        });
        ScheduledFuture<?> timer = loop.schedule(() -> {
            if (!c.ready.isDone()) {
                c.fail("timeout", String.format(Locale.ROOT, "not %s within %.1f s",
                    c.connAckNanos() == 0 ? "connected (CONNACK)" : "ready (SUBACK)",
                        timeoutNanos / 1e9));
                f.channel().close();
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        c.ready.whenComplete((v, e) -> timer.cancel(false));
    }

    /**
     * The innermost cause's message ("Connection refused", "Too many open files"), without
     * addresses.
     */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int address = m.indexOf(": /");
        return address > 0 ? m.substring(0, address) : m;
    }

    /**
     * Sends DISCONNECT on every open connection (ending 5.0 persistent sessions when
     * {@code endSession}) and waits until they are closed: at most 5 s plus 1 ms per connection,
     * then the rest is closed hard.
     */
    static void closeAll(List<? extends BenchClient> clients, boolean endSession) {
        List<Channel> channels = new ArrayList<>();
        for (BenchClient c : clients) {
            c.disconnect(endSession);
            if (c.channel() != null) {
                channels.add(c.channel());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5)
            + TimeUnit.MILLISECONDS.toNanos(
            clients.size());
        for (Channel ch : channels) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                ch.close();
            }
        }
    }
}
