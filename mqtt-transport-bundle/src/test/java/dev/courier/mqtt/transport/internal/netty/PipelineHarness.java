package dev.courier.mqtt.transport.internal.netty;

import dev.courier.mqtt.transport.internal.bridge.memory.InMemoryBridge;
import dev.courier.mqtt.transport.internal.config.TransportConfig;
import dev.courier.mqtt.transport.internal.protocol.context.AccessControl;
import dev.courier.mqtt.transport.internal.protocol.MqttEngine;
import dev.courier.mqtt.transport.internal.session.SessionRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Raw-byte clients of the real client pipeline ({@link MqttChannelInitializer#configure}) on
 * {@link EmbeddedChannel}s sharing one {@link SessionRegistry} and {@link InMemoryBridge}, for the
 * spec corpus and the fuzz test. Records every input buffer, so that a test can assert all were
 * released, and every error that would reach the connection handler's WARN path (an exception
 * that is not an {@link IOException}).
 *
 * <p>Not thread-safe: one test thread drives all channels, as EmbeddedChannel requires.
 */
final class PipelineHarness {

  static final byte[] PINGREQ = {(byte) 0xC0, 0x00};
  static final byte[] PINGRESP = {(byte) 0xD0, 0x00};

  private final TransportConfig config;
  private final AccessControl access;
  private final SessionRegistry registry = new SessionRegistry();
  private final InMemoryBridge bridge = new InMemoryBridge();
  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final List<ByteBuf> inputs = new ArrayList<>();
  private final List<Throwable> unexpectedErrors = new ArrayList<>();
  /** The connection handlers' clock (reads, keep alive), moved by {@link #advanceTime}. */
  private long nanos;
  /** The connections' deadlines, by {@link #nanos}. */
  private final ConnectionDeadlines deadlines;

  PipelineHarness(TransportConfig config) {
    this(config, AccessControl.open());
  }

  /** A harness whose engine uses {@code access} for authentication and authorization. */
  PipelineHarness(TransportConfig config, AccessControl access) {
    this.config = config;
    this.access = access;
    this.deadlines = new ConnectionDeadlines(() -> nanos, config.connectTimeoutSeconds());
  }

  TransportConfig config() {
    return config;
  }

  SessionRegistry registry() {
    return registry;
  }

  /** A new client channel, active, with the production handlers. */
  /** The connection handler of a channel of this harness (inside its error recorder). */
  static MqttConnectionHandler connectionHandler(EmbeddedChannel channel) {
    return (MqttConnectionHandler) ((ErrorRecordingHandler) channel.pipeline()
        .get(MqttChannelInitializer.MQTT)).real;
  }

  EmbeddedChannel channel() {
    EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        MqttChannelInitializer.configure(ch.pipeline(),
            new MqttEngine(config, registry, bridge, access), deadlines);
        ChannelInboundHandler real = (ChannelInboundHandler) ch.pipeline()
            .get(MqttChannelInitializer.MQTT);
        ch.pipeline().replace(MqttChannelInitializer.MQTT, MqttChannelInitializer.MQTT,
            new ErrorRecordingHandler(real, unexpectedErrors));
      }
    });
    // Scheduled tasks run by the harness's time alone (advanceTime), not by the real clock.
    channel.freezeTime();
    channels.add(channel);
    return channel;
  }

  /** Writes the parts as one read and runs what the loop has queued; returns the buffer. */
  ByteBuf feed(EmbeddedChannel channel, byte[]... parts) {
    ByteBuf in = Unpooled.buffer();
    for (byte[] part : parts) {
      in.writeBytes(part);
    }
    inputs.add(in);
    channel.writeInbound(in);
    channel.runPendingTasks();
    return in;
  }

  /**
   * Moves time on by {@code amount}, for the connection handlers and for every channel's scheduled
   * tasks alike, and runs the tasks that became due.
   */
  void advanceTime(long amount, TimeUnit unit) {
    nanos += unit.toNanos(amount);
    for (EmbeddedChannel channel : channels) {
      if (channel.isOpen()) {
        channel.advanceTimeBy(amount, unit);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
      }
    }
  }

  /** Runs the queued tasks of every open channel until none is left (bounded). */
  void settle() {
    for (int round = 0; round < 8; round++) {
      boolean any = false;
      for (EmbeddedChannel channel : channels) {
        if (channel.hasPendingTasks()) {
          channel.runPendingTasks();
          any = true;
        }
      }
      if (!any) {
        return;
      }
    }
  }

  /** Everything the server wrote to {@code channel} so far; the outbound buffers are released. */
  static byte[] written(EmbeddedChannel channel) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object message;
    while ((message = channel.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) message;
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      buf.release();
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  /** A client that sent CONNECT and got CONNACK 0; fails otherwise. */
  EmbeddedChannel connected(String clientId) {
    EmbeddedChannel channel = channel();
    feed(channel, connect(clientId));
    byte[] answer = written(channel);
    if (!java.util.Arrays.equals(answer, connAck(0))) {
      throw new AssertionError("CONNECT of " + clientId + " answered with " + hex(answer));
    }
    return channel;
  }

  /** Input buffers not yet released, i.e. leaked by the pipeline once channels are closed. */
  List<ByteBuf> unreleasedInputs() {
    return inputs.stream().filter(buffer -> buffer.refCnt() != 0).toList();
  }

  /** Errors that reached the connection handler as exceptions other than I/O errors. */
  List<Throwable> unexpectedErrors() {
    return unexpectedErrors;
  }

  /** Closes every channel, releasing what they hold, and forgets them and their inputs. */
  void closeChannels() {
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
    channels.clear();
  }

  /** Forgets the recorded inputs (after they were checked). */
  void forgetInputs() {
    inputs.clear();
  }

  void shutdown() {
    closeChannels();
    bridge.shutdown();
  }

  // ---------------------------------------------------------------- packet builders

  static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  static String hex(byte[] bytes) {
    return HexFormat.ofDelimiter(" ").formatHex(bytes);
  }

  static byte[] connAck(int code) {
    return new byte[] {0x20, 0x02, 0x00, (byte) code};
  }

  /** A packet with the given first byte, a minimal Remaining Length and the body. */
  static byte[] packet(int firstByte, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(firstByte);
    int length = body.length;
    do {
      int digit = length % 128;
      length /= 128;
      out.write(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** Length-prefixed bytes, as MQTT encodes strings and binary data. */
  static byte[] prefixed(byte[] bytes) {
    byte[] out = new byte[bytes.length + 2];
    out[0] = (byte) (bytes.length >> 8);
    out[1] = (byte) bytes.length;
    System.arraycopy(bytes, 0, out, 2, bytes.length);
    return out;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /**
   * A CONNECT with explicit flags and payload fields as raw bytes (null: left out), so that flags
   * and payload can disagree.
   */
  static byte[] connect(String protocolName, int level, int flags, byte[] clientId,
      byte[] willTopic, byte[] willMessage, byte[] userName, byte[] password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(prefixed(utf8(protocolName)));
    body.write(level);
    body.write(flags);
    body.write(0);
    body.write(60); // keep-alive
    for (byte[] field : new byte[][] {clientId, willTopic, willMessage, userName, password}) {
      if (field != null) {
        body.writeBytes(prefixed(field));
      }
    }
    return packet(0x10, body.toByteArray());
  }

  /** A plain MQTT 3.1.1 CONNECT with clean session. */
  static byte[] connect(String clientId) {
    return connect("MQTT", 4, 0x02, utf8(clientId), null, null, null, null);
  }

  /** A PUBLISH; {@code packetId} is written only for QoS 1 and 2. */
  static byte[] publish(int flags, byte[] topic, int packetId, byte[] payload) {
    int qos = (flags >> 1) & 0x03;
    byte[] id = qos == 0 ? new byte[0] : new byte[] {(byte) (packetId >> 8), (byte) packetId};
    return packet(0x30 | flags, concat(prefixed(topic), id, payload));
  }

  /** A SUBSCRIBE with each filter followed by its options byte. */
  static byte[] subscribe(int packetId, Object... filtersAndOptions) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(packetId >> 8);
    body.write(packetId);
    for (int i = 0; i < filtersAndOptions.length; i += 2) {
      Object filter = filtersAndOptions[i];
      body.writeBytes(prefixed(filter instanceof byte[] b ? b : utf8((String) filter)));
      body.write((Integer) filtersAndOptions[i + 1]);
    }
    return packet(0x82, body.toByteArray());
  }

  static byte[] unsubscribe(int packetId, Object... filters) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(packetId >> 8);
    body.write(packetId);
    for (Object filter : filters) {
      body.writeBytes(prefixed(filter instanceof byte[] b ? b : utf8((String) filter)));
    }
    return packet(0xA2, body.toByteArray());
  }

  /** PUBACK, PUBREC, PUBREL, PUBCOMP and the like: first byte and a packet id. */
  static byte[] ack(int firstByte, int packetId) {
    return new byte[] {(byte) firstByte, 0x02, (byte) (packetId >> 8), (byte) packetId};
  }

  // ---------------------------------------------------------------- error recording

  /**
   * Stands in for the connection handler, passing every event on to it, and records what would
   * take its "unexpected error" path: a non-I/O exception given to {@code exceptionCaught}, or
   * one thrown by the handler itself (which Netty hands to the same method).
   */
  private static final class ErrorRecordingHandler extends ChannelInboundHandlerAdapter {

    private final ChannelInboundHandler real;
    private final List<Throwable> errors;

    ErrorRecordingHandler(ChannelInboundHandler real, List<Throwable> errors) {
      this.real = real;
      this.errors = errors;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
      real.handlerAdded(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
      real.handlerRemoved(ctx);
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
      guard(ctx, () -> real.channelRegistered(ctx));
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) throws Exception {
      guard(ctx, () -> real.channelUnregistered(ctx));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      guard(ctx, () -> real.channelActive(ctx));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      guard(ctx, () -> real.channelInactive(ctx));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      guard(ctx, () -> real.channelRead(ctx, msg));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      guard(ctx, () -> real.channelReadComplete(ctx));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      guard(ctx, () -> real.userEventTriggered(ctx, evt));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      guard(ctx, () -> real.channelWritabilityChanged(ctx));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
      if (!(cause instanceof IOException)) {
        errors.add(cause);
      }
      real.exceptionCaught(ctx, cause);
    }

    private void guard(ChannelHandlerContext ctx, Event event) throws Exception {
      try {
        event.run();
      } catch (Exception | Error e) {
        exceptionCaught(ctx, e);
      }
    }

    private interface Event {
      void run() throws Exception;
    }
  }
}
