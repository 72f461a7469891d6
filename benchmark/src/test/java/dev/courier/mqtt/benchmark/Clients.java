package dev.courier.mqtt.benchmark;

import java.util.concurrent.atomic.LongAdder;

/** Test factories: clients with client id "c1" on topic "t", as the runner builds them. */
final class Clients {

    private Clients() {
    }

    static PublisherClient publisher(ProtocolVersion v, int qos, int payload, int window, LongAdder acks,
                                     boolean nettyEncoder) {
        return new PublisherClient("c1", v, 60, 0, "t", qos, payload, window, 64, acks, nettyEncoder, null, 1);
    }

    static PublisherClient publisher(ProtocolVersion v, int qos, int window, LongAdder acks) {
        return publisher(v, qos, Payload.HEADER_SIZE, window, acks, false);
    }

    static SubscriberClient subscriber(ProtocolVersion v, int qos) {
        return new SubscriberClient("c1", v, 60, false, "t", qos, 1, new LongAdder(), new LongAdder(), null);
    }
}
