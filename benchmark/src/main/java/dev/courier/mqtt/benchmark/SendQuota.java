package dev.courier.mqtt.benchmark;

/**
 * A publisher's window of unacknowledged QoS 1/2 PUBLISHes: at most {@code min(--inflight, the server's Receive
 * Maximum)} [MQTT-3.3.4-7], [MQTT-4.9.0-2]. The quota is taken when a QoS 1/2 PUBLISH is written and given
 * back on PUBACK, on PUBCOMP, and on a PUBREC with a reason code of 0x80 or more (§4.9), whatever the PUBACK's or
 * PUBCOMP's reason code. With 3.1.1 there is no Receive Maximum and the limit is {@code --inflight}.
 * Event-loop confined.
 */
final class SendQuota {

    /** Receive Maximum when the CONNACK has none (§3.2.2.3.3), and 3.1.1's packet id space. */
    static final int DEFAULT_RECEIVE_MAXIMUM = 65535;

    private final int configured;
    private int limit;
    private int inUse;

    SendQuota(int configured) {
        if (configured < 1) {
            throw new IllegalArgumentException("in-flight window must be at least 1: " + configured);
        }
        this.configured = configured;
        this.limit = Math.min(configured, DEFAULT_RECEIVE_MAXIMUM);
    }

    /** Applies the Receive Maximum of the server's CONNACK; the limit never exceeds it. */
    void serverReceiveMaximum(int receiveMaximum) {
        if (receiveMaximum < 1 || receiveMaximum > DEFAULT_RECEIVE_MAXIMUM) {
            throw new IllegalArgumentException("Receive Maximum out of range: " + receiveMaximum);
        }
        limit = Math.min(configured, receiveMaximum);
    }

    /** Takes one unit if the window has room. */
    boolean tryAcquire() {
        if (inUse >= limit) {
            return false;
        }
        inUse++;
        return true;
    }

    boolean hasRoom() {
        return inUse < limit;
    }

    void release() {
        if (inUse == 0) {
            throw new IllegalStateException("send quota released more often than taken");
        }
        inUse--;
    }

    int inUse() {
        return inUse;
    }

    int limit() {
        return limit;
    }
}
