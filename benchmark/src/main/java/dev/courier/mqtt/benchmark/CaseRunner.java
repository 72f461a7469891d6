package dev.courier.mqtt.benchmark;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/** Runs one (scenario, QoS, MQTT version) case: connect, subscribe, warm up, measure, drain, disconnect, collect. */
final class CaseRunner {

    private static final long SETTLE_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long QOS0_QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final BenchmarkOptions options;
    private final EventLoopGroup group;
    private final List<EventLoop> subscriberLoops;
    private final List<EventLoop> publisherLoops;
    private final String runId;
    /** The broker's process, or null without --broker-pid. */
    private final BrokerProbe probe;

    CaseRunner(BenchmarkOptions options, EventLoopGroup group, String runId, BrokerProbe probe) {
        this.options = options;
        this.probe = probe;
        this.group = group;
        // subscribers and publishers on different event loops (threads) when there are two or more, so that the
        // receiving side is not starved by many publishers and vice versa
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((EventLoop) e);
        }
        int half = Math.max(1, loops.size() / 2);
        this.subscriberLoops = loops.subList(0, half);
        this.publisherLoops = loops.size() > 1 ? loops.subList(half, loops.size()) : loops;
        this.runId = runId;
    }

    CaseResult run(Scenario scenario, int qos, ProtocolVersion version) {
        CaseResult r = new CaseResult();
        r.scenario = scenario;
        r.qos = qos;
        r.mqtt = version;
        r.publishers = scenario.publishers(options.clients());
        r.subscribers = scenario.subscribers(options.clients());
        r.acked = qos == 0 ? -1 : 0;

        // the version in ids and topic keeps the two versions' cases apart (a persistent 3.1.1 session outlives its
        // case); "v3"/"v5" have the same length, so both versions publish packets of the same size
        String caseId = runId + scenario.code() + qos + version.code();
        String topic = "courier-bench/" + runId + "/" + scenario.label() + "/qos" + qos + "/v" + version.code();
        LongAdder uniqueCounter = new LongAdder();
        LongAdder warmupCounter = new LongAdder();
        LongAdder ackCounter = new LongAdder();

        DeliveryWindow e2e = options.e2eWindow() > 0 ? new DeliveryWindow(options.e2eWindow()) : null;
        List<SubscriberClient> subs = new ArrayList<>();
        List<PublisherClient> pubs = new ArrayList<>();
        List<BenchClient> all = new ArrayList<>();
        try {
            // 1. subscribers: CONNECT + SUBSCRIBE, all SUBACKed before anything is published
            for (int i = 0; i < r.subscribers; i++) {
                SubscriberClient s = new SubscriberClient("cb" + caseId + "s" + i, version, options.keepAlive(),
                    options.nettyEncoder(), topic, qos,
                    r.publishers, uniqueCounter, warmupCounter, e2e);
                s.persistentSession = options.persistentSubscribers();
                s.username = options.username();
                s.password = options.password();
                subs.add(s);
                all.add(s);
            }
            connectAll(subs, subscriberLoops);
            // 2. publishers: CONNECT
            for (int i = 0; i < r.publishers; i++) {
                PublisherClient p = new PublisherClient("cb" + caseId + "p" + i, version, options.keepAlive(), i,
                    topic, qos,
                    options.payload(), options.inflight(), options.batch(), ackCounter,
                    options.nettyEncoder(), e2e, r.subscribers);
                p.username = options.username();
                p.password = options.password();
                pubs.add(p);
                all.add(p);
            }
            connectAll(pubs, publisherLoops);
            double ratePerPublisher = options.rate() > 0 ? (double) options.rate() / r.publishers : 0;

            // 3. warm-up (same connections, payload phase 0, not counted), then let it settle
            if (options.warmupSeconds() > 0) {
                long warmupNanos = (long) (options.warmupSeconds() * 1e9);
                CountDownLatch done = new CountDownLatch(pubs.size());
                long deadline = System.nanoTime() + warmupNanos;
                for (PublisherClient p : pubs) {
                    p.startPhase(Payload.PHASE_WARMUP, deadline, Long.MAX_VALUE, ratePerPublisher, done);
                }
                awaitLatch(done, warmupNanos + TimeUnit.SECONDS.toNanos(30), "warm-up");
                long warmupSent = 0;
                for (PublisherClient p : pubs) {
                    warmupSent += p.warmupSent();
                }
                settleWarmup(pubs, warmupCounter, warmupSent * r.subscribers);
                checkErrors(all);
            }

            // 4. measure
            long durationNanos = (long) (options.effectiveDurationSeconds() * 1e9);
            long count = options.messages() > 0 ? options.messages() : Long.MAX_VALUE;
            CountDownLatch done = new CountDownLatch(pubs.size());
            BrokerProbe.CpuSample cpu0 = probe == null ? null : probe.cpu();
            long start = System.nanoTime();
            for (PublisherClient p : pubs) {
                p.startPhase(Payload.PHASE_MEASURE, start + durationNanos, count, ratePerPublisher, done);
            }
            awaitLatch(done, durationNanos + TimeUnit.SECONDS.toNanos(30), "publishing");
            long pubEnd = start;
            for (PublisherClient p : pubs) {
                r.sent += p.measuredSent();
                pubEnd = Math.max(pubEnd, p.finishNanos());
            }
            r.publishSeconds = (pubEnd - start) / 1e9;
            r.expected = r.sent * r.subscribers;

            // 5. drain: wait for outstanding deliveries and acknowledgements, bounded by --drain
            long drainStart = System.nanoTime();
            drain(qos, r.expected, r.sent, uniqueCounter, warmupCounter, ackCounter, all, drainStart);
            r.drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            if (probe != null) {
                // the measuring window: from the start of publishing to the end of the drain
                BrokerProbe.CpuSample cpu1 = probe.cpu();
                r.brokerCpuSeconds = probe.cpuSeconds(cpu0, cpu1);
                r.brokerWindowSeconds = (cpu1.nanos - cpu0.nanos) / 1e9;
                r.brokerRssKb = probe.rssKb();
            }

            // 6. collect (on each subscriber's event loop), then disconnect
            LatencyHistogram hist = new LatencyHistogram();
            long lastReceive = start;
            for (SubscriberClient s : subs) {
                SubscriberClient.Snapshot snap = s.snapshotAsync().get(10, TimeUnit.SECONDS);
                r.received += snap.received;
                r.unique += snap.unique;
                r.foreign += snap.foreign;
                r.redelivered += snap.redelivered;
                if (snap.received > 0) {
                    lastReceive = Math.max(lastReceive, snap.lastReceiveNanos);
                }
                if (r.grantedQosMin < 0 || snap.grantedQos < r.grantedQosMin) {
                    r.grantedQosMin = snap.grantedQos;
                }
                hist.merge(snap.histogram);
            }
            for (PublisherClient p : pubs) {
                if (qos > 0) {
                    r.acked += p.measuredAcked();
                }
                r.peakInflight = Math.max(r.peakInflight, p.peakInflight());
            }
            if (qos > 0 && r.unique < r.expected) {
                describeGaps(r, subs, pubs);
            }
            r.receiveSeconds = (lastReceive - start) / 1e9;
            r.windowWriteOffs = e2e == null ? 0 : e2e.writeOffs();
            r.p50 = hist.percentile(50);
            r.p99 = hist.percentile(99);
            r.max = hist.max();
            r.mean = hist.mean();
            if (r.grantedQosMin >= 0 && r.grantedQosMin < qos) {
                r.errors.add("broker granted QoS " + r.grantedQosMin + " instead of " + qos);
            }
            for (BenchClient c : all) {
                if (c.error() != null) {
                    r.errors.add(c.error());
                }
            }
        } catch (Exception e) {
            String msg = e instanceof ExecutionException && e.getCause() != null ? e.getCause().getMessage()
                : e.getMessage();
            r.errors.add(msg == null ? e.toString() : msg);
        } finally {
            closeAll(all);
        }
        return r;
    }

    private Bootstrap bootstrap() {
        int high = Math.max(64 * 1024, options.batch() * (options.payload() + 128) * 2);
        return new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) (options.connectTimeoutSeconds() * 1000));
    }

    private <T extends BenchClient> void connectAll(List<T> clients, List<EventLoop> loops) throws Exception {
        if (clients.isEmpty()) {
            return;
        }
        Bootstrap b = bootstrap();
        int n = 0;
        int maxBytes = Math.max(256 * 1024, options.payload() + 64 * 1024);
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (T c : clients) {
            EventLoop loop = loops.get(n++ % loops.size());
            ChannelFuture f = b.clone(loop).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("decoder", new MqttDecoder(maxBytes));
                    ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                    ch.pipeline().addLast("client", c);
                }
            }).connect(options.host(), options.port());
            f.addListener(cf -> {
                if (!cf.isSuccess()) {
                    c.fail("connect to " + options.host() + ":" + options.port() + " failed: "
                        + cf.cause().getMessage());
                }
            });
            ready.add(c.ready);
        }
        long timeoutMs = (long) (options.connectTimeoutSeconds() * 1000);
        try {
            CompletableFuture.allOf(ready.toArray(new CompletableFuture[0])).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            int pending = 0;
            for (CompletableFuture<Void> f : ready) {
                if (!f.isDone()) {
                    pending++;
                }
            }
            throw new IllegalStateException(pending + " of " + clients.size()
                + " clients not connected/subscribed within " + timeoutMs + " ms");
        }
    }

    private static void awaitLatch(CountDownLatch latch, long timeoutNanos, String what) throws InterruptedException {
        if (!latch.await(timeoutNanos, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(what + " did not finish in time");
        }
    }

    /** Waits until warm-up messages are acknowledged and delivered, or nothing moved for a while. */
    private void settleWarmup(List<PublisherClient> pubs, LongAdder warmupCounter, long expected)
        throws InterruptedException {
        long deadline = System.nanoTime() + (long) (Math.max(1, options.drainSeconds()) * 1e9);
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            int inflight = 0;
            for (PublisherClient p : pubs) {
                inflight += p.inflight();
            }
            long got = warmupCounter.sum();
            if (inflight == 0 && got >= expected) {
                break;
            }
            long now = System.nanoTime();
            if (got != last) {
                last = got;
                lastChange = now;
            } else if (now - lastChange > SETTLE_QUIET_NANOS && inflight == 0) {
                break;
            }
            Thread.sleep(5);
        }
        Thread.sleep(100);
    }

    private void drain(int qos, long expected, long sent, LongAdder uniqueCounter, LongAdder warmupCounter,
                       LongAdder ackCounter, List<BenchClient> all, long drainStart) throws InterruptedException {
        long deadline = drainStart + (long) (options.drainSeconds() * 1e9);
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long got = uniqueCounter.sum();
            boolean acked = qos == 0 || ackCounter.sum() >= sent;
            if (got >= expected && acked) {
                return;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return;
            }
            // any delivery (also late warm-up messages still queued ahead of measured ones) counts as progress
            long activity = got + warmupCounter.sum();
            if (activity != last) {
                last = activity;
                lastChange = now;
            } else if (qos == 0 && now - lastChange > QOS0_QUIET_NANOS) {
                return;     // QoS 0: nothing more arrives, the rest was dropped
            }
            boolean anyAlive = false;
            for (BenchClient c : all) {
                if (c.channel() != null && c.channel().isActive()) {
                    anyAlive = true;
                    break;
                }
            }
            if (!anyAlive) {
                return;
            }
            Thread.sleep(2);
        }
    }

    /** Where the QoS 1/2 losses are: a few examples and the number of (subscriber, publisher) pairs affected. */
    private static void describeGaps(CaseResult r, List<SubscriberClient> subs, List<PublisherClient> pubs)
        throws Exception {
        long[] sent = new long[pubs.size()];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = pubs.get(i).measuredSent();
        }
        int pairs = 0;
        for (SubscriberClient s : subs) {
            for (String g : s.gapsAsync(sent, 3).get(10, TimeUnit.SECONDS)) {
                pairs++;
                if (g != null && r.gaps.size() < 5) {
                    r.gaps.add(g);
                }
            }
        }
        r.gapPairs = pairs;
    }

    private void checkErrors(List<BenchClient> all) {
        for (BenchClient c : all) {
            if (c.error() != null) {
                throw new IllegalStateException(c.error());
            }
        }
    }

    private void closeAll(List<BenchClient> all) {
        List<io.netty.channel.Channel> channels = new ArrayList<>();
        for (BenchClient c : all) {
            c.disconnect();
            if (c.channel() != null) {
                channels.add(c.channel());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (io.netty.channel.Channel ch : channels) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                ch.close();
            }
        }
    }
}
