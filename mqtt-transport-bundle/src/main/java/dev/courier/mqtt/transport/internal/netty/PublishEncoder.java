package dev.courier.mqtt.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;

/**
 * The client pipeline's one encoder. Encodes the PUBLISH packets that carry no properties (every
 * 3.x delivery, and the 5.0 ones without Message Expiry, Content Type, Subscription Identifiers,
 * topic alias, ...) into one buffer of their exact size; hands everything else to Netty's {@code
 * MqttEncoder}, on this handler's context, rather than to a second handler (and context) in every
 * pipeline. That encoder writes a 5.0 PUBLISH's property section into a buffer of its own and
 * copies it, even when it is empty: a second pooled allocation per delivery. A 3.x CONNACK, four
 * fixed bytes, is written here too: Netty's encoder looks for properties it cannot have first.
 *
 * <p>Client pipelines call {@link #write} from their {@code mqtt} handler, on its context, rather
 * than holding this handler; a refused connection's pipeline holds it. The protocol level is the one Netty's decoder records on the channel at CONNECT.
 */
@Sharable
final class PublishEncoder extends MessageToByteEncoder<MqttPublishMessage> {

  static final PublishEncoder INSTANCE = new PublishEncoder();

  /** The attribute Netty's MQTT codec keeps the connection's protocol level in. */
  private static final AttributeKey<MqttVersion> VERSION =
      AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

  /**
   * The last topic name this thread encoded, as UTF-8: deliveries come in runs on one topic (a
   * subscription's stream, a fan-in, a fan-out of one message over the event loop's connections),
   * and comparing the name costs a fraction of encoding it twice (size, then bytes) each time.
   */
  private static final FastThreadLocal<TopicBytes> LAST_TOPIC = new FastThreadLocal<>() {
    @Override
    protected TopicBytes initialValue() {
      return new TopicBytes();
    }
  };

  /** One thread's last topic name and its bytes. */
  static final class TopicBytes {
    private String topic = "";
    private byte[] bytes = new byte[0];

    /** The UTF-8 bytes of a topic name (a valid one: no unpaired surrogate). */
    byte[] bytes(String name) {
      if (!name.equals(topic)) {
        bytes = name.getBytes(StandardCharsets.UTF_8);
        topic = name;
      }
      return bytes;
    }
  }

  private PublishEncoder() {
    super(MqttPublishMessage.class);
  }

  @Override
  public boolean acceptOutboundMessage(Object msg) {
    return msg instanceof MqttPublishMessage publish
        && publish.variableHeader().properties() == MqttProperties.NO_PROPERTIES;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (acceptOutboundMessage(msg)) {
      super.write(ctx, msg, promise);
    } else if (msg instanceof MqttConnAckMessage connAck && !isMqtt5(ctx)) {
      ctx.write(connAck3(ctx, connAck), promise);
    } else {
      MqttEncoder.INSTANCE.write(ctx, msg, promise); // sharable and stateless, as this one
    }
  }

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, MqttPublishMessage msg,
      boolean preferDirect) {
    int remaining = remainingLength(msg, isMqtt5(ctx),
        LAST_TOPIC.get().bytes(msg.variableHeader().topicName()).length);
    int size = 1 + vbiSize(remaining) + remaining;
    return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, MqttPublishMessage msg, ByteBuf out) {
    boolean five = isMqtt5(ctx);
    MqttFixedHeader fixed = msg.fixedHeader();
    MqttPublishVariableHeader header = msg.variableHeader();
    int qos = fixed.qosLevel().value();
    out.writeByte(0x30 | (fixed.isDup() ? 0x08 : 0) | (qos << 1) | (fixed.isRetain() ? 0x01 : 0));
    byte[] topic = LAST_TOPIC.get().bytes(header.topicName());
    writeVbi(out, remainingLength(msg, five, topic.length));
    out.writeShort(topic.length);
    out.writeBytes(topic);
    if (qos > 0) {
      out.writeShort(header.packetId());
    }
    if (five) {
      out.writeByte(0); // Property Length 0
    }
    ByteBuf payload = msg.payload();
    out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
  }

  /**
   * A 3.x CONNACK: the fixed header, Remaining Length 2, the Connect Acknowledge Flags (Session
   * Present, 3.1.1 only) and the return code (3.2.2).
   */
  private static ByteBuf connAck3(ChannelHandlerContext ctx, MqttConnAckMessage connAck) {
    MqttConnAckVariableHeader header = connAck.variableHeader();
    return ctx.alloc().ioBuffer(4).writeByte(0x20).writeByte(2)
        .writeByte(header.isSessionPresent() ? 1 : 0)
        .writeByte(header.connectReturnCode().byteValue());
  }

  private static boolean isMqtt5(ChannelHandlerContext ctx) {
    Attribute<MqttVersion> version = ctx.channel().attr(VERSION);
    return version.get() == MqttVersion.MQTT_5;
  }

  private static int remainingLength(MqttPublishMessage msg, boolean five, int topicBytes) {
    int qos = msg.fixedHeader().qosLevel().value();
    return 2 + topicBytes + (qos > 0 ? 2 : 0) + (five ? 1 : 0) + msg.payload().readableBytes();
  }

  static int vbiSize(int value) {
    return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
  }

  private static void writeVbi(ByteBuf out, int value) {
    int rest = value;
    do {
      int digit = rest & 0x7F;
      rest >>>= 7;
      out.writeByte(rest > 0 ? digit | 0x80 : digit);
    } while (rest > 0);
  }
}
