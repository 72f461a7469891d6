package dev.courier.mqtt.benchmark;

import io.netty.buffer.ByteBuf;

/**
 * Layout of a benchmark message payload (big endian):
 * <pre>
 *   0  int   magic 0x43424d51 ("CBMQ")
 *   4  int   publisher index within the case
 *   8  long  sequence number (per publisher and phase, from 0)
 *  16  long  System.nanoTime() when the message was written by the publisher
 *  24  byte  phase: 0 = warm-up (not counted), 1 = measured
 *  25  ...   zero padding up to the configured payload size
 * </pre>
 */
public final class Payload {

    public static final int MAGIC = 0x43424d51;
    public static final int HEADER_SIZE = 25;
    public static final byte PHASE_WARMUP = 0;
    public static final byte PHASE_MEASURE = 1;

    private Payload() {
    }

    public static void write(ByteBuf buf, int size, int publisher, long seq, long nanoTime, byte phase) {
        buf.writeInt(MAGIC);
        buf.writeInt(publisher);
        buf.writeLong(seq);
        buf.writeLong(nanoTime);
        buf.writeByte(phase);
        if (size > HEADER_SIZE) {
            buf.writeZero(size - HEADER_SIZE);
        }
    }

    /** True when the buffer holds a benchmark payload header at its reader index. */
    public static boolean isValid(ByteBuf buf) {
        return buf.readableBytes() >= HEADER_SIZE && buf.getInt(buf.readerIndex()) == MAGIC;
    }

    public static int publisher(ByteBuf buf) {
        return buf.getInt(buf.readerIndex() + 4);
    }

    public static long sequence(ByteBuf buf) {
        return buf.getLong(buf.readerIndex() + 8);
    }

    public static long timestamp(ByteBuf buf) {
        return buf.getLong(buf.readerIndex() + 16);
    }

    public static byte phase(ByteBuf buf) {
        return buf.getByte(buf.readerIndex() + 24);
    }
}
