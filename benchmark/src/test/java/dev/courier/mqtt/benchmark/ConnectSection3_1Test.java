package dev.courier.mqtt.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** MQTT 5.0 §3.1 CONNECT as the generator writes it, and the 3.1.1 form it replaces. */
class ConnectSection3_1Test {

    private static final int SESSION_EXPIRY = MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value();

    @Test
    void whenV5_thenProtocolLevel5CleanStartAndEmptyPropertyBlock() {
        Wire w = new Wire(Clients.publisher(ProtocolVersion.V5, 1, 64, new LongAdder()));
        // fixed header, "MQTT", level 5, flags Clean Start, keep alive 60, Property Length 0, client id "c1"
        assertEquals(Wire.hex("10 0f 0004 4d515454 05 02 003c 00 0002 6331"), w.out());
        w.close();
    }

    @Test
    void whenV5PersistentSubscriber_thenSessionExpiryIntervalInsteadOfCleanSessionFalse() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V5, 1);
        s.persistentSession = true;
        Wire w = new Wire(s);
        // Property Length 5: Session Expiry Interval (0x11) 3600 s; Clean Start still 1
        assertEquals(Wire.hex("10 14 0004 4d515454 05 02 003c 05 11 00000e10 0002 6331"), w.out());
        List<MqttMessage> decoded = w.decodedByBroker();
        MqttConnectMessage connect = (MqttConnectMessage) decoded.get(0);
        assertEquals(5, connect.variableHeader().version());
        assertTrue(connect.variableHeader().isCleanSession());
        assertEquals(ProtocolVersion.PERSISTENT_SESSION_EXPIRY_SECONDS,
            connect.variableHeader().properties().getProperty(SESSION_EXPIRY).value());
        w.close();
    }

    @Test
    void whenV311_thenLevel4AndNoProperties() {
        Wire w = new Wire(Clients.publisher(ProtocolVersion.V3_1_1, 1, 64, new LongAdder()));
        assertEquals(Wire.hex("10 0e 0004 4d515454 04 02 003c 0002 6331"), w.out());
        w.close();
    }

    @Test
    void whenV311PersistentSubscriber_thenCleanSessionFalse() {
        SubscriberClient s = Clients.subscriber(ProtocolVersion.V3_1_1, 1);
        s.persistentSession = true;
        Wire w = new Wire(s);
        assertEquals(Wire.hex("10 0e 0004 4d515454 04 00 003c 0002 6331"), w.out());
        w.close();
    }

    @Test
    void whenV5WithCredentials_thenRoundTripsThroughMqttDecoder() {
        PublisherClient p = Clients.publisher(ProtocolVersion.V5, 0, 64, new LongAdder());
        p.username = "u";
        p.password = "pw";
        Wire w = new Wire(p);
        MqttConnectMessage connect = (MqttConnectMessage) w.decodedByBroker().get(0);
        assertTrue(connect.decoderResult().isSuccess());
        assertEquals("c1", connect.payload().clientIdentifier());
        assertEquals("u", connect.payload().userName());
        assertTrue(connect.variableHeader().properties().isEmpty());
        w.close();
    }
}
