package dev.courier.mqtt.benchmark;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The MQTT version a case speaks, and the few packets whose form differs by version: CONNECT and DISCONNECT.
 * PUBLISH and the acknowledgements differ only in their variable header, written by {@link FastPathEncoder};
 * SUBSCRIBE is the same builder for both, MqttEncoder adds the 5.0 property length itself once it has encoded a
 * 5.0 CONNECT on the channel (it keeps the version in a channel attribute that MqttDecoder reads too).
 */
public enum ProtocolVersion {
    V3_1_1("3.1.1", '3', MqttVersion.MQTT_3_1_1),
    V5("5.0", '5', MqttVersion.MQTT_5);

    /**
     * Session Expiry Interval (MQTT 5.0 §3.1.2.11.2) of a persistent subscriber: long enough to outlive any case;
     * the subscriber's DISCONNECT sets it to 0 so the broker drops the session when the case ends.
     */
    static final int PERSISTENT_SESSION_EXPIRY_SECONDS = 3600;

    private final String label;
    private final char code;
    private final MqttVersion nettyVersion;

    ProtocolVersion(String label, char code, MqttVersion nettyVersion) {
        this.label = label;
        this.code = code;
        this.nettyVersion = nettyVersion;
    }

    /** "3.1.1" or "5.0", as shown in the report. */
    public String label() {
        return label;
    }

    /** One character for client ids and topics; both versions give ids and topics of the same length. */
    public char code() {
        return code;
    }

    boolean isV5() {
        return this == V5;
    }

    /**
     * CONNECT. 3.1.1: Clean Session = !persistent. 5.0: Clean Start = 1 always (client ids are unique per run, so
     * there is never a session to resume) and, for a persistent subscriber, a Session Expiry Interval instead of
     * 3.1.1's cleanSession=false (§3.1.2.4, §3.1.2.11.2).
     */
    MqttConnectMessage connect(String clientId, int keepAlive, boolean persistent, String username, String password) {
        return connect(clientId, keepAlive, persistent, false, username, password);
    }

    /**
     * CONNECT that may resume a session: with {@code resume}, 5.0 sends Clean Start 0 (§3.1.2.4) so
     * that the broker continues the session of this client id; 3.1.1 resumes with any
     * cleanSession=false CONNECT.
     */
    MqttConnectMessage connect(String clientId, int keepAlive, boolean persistent, boolean resume,
                               String username, String password) {
        MqttMessageBuilders.ConnectBuilder b = MqttMessageBuilders.connect()
            .protocolVersion(nettyVersion)
            .clientId(clientId)
            .keepAlive(keepAlive);
        if (isV5()) {
            b.cleanSession(!resume);
            MqttProperties props = new MqttProperties();
            if (persistent) {
                props.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), PERSISTENT_SESSION_EXPIRY_SECONDS));
            }
            b.properties(props);
        } else {
            b.cleanSession(!persistent);
        }
        if (username != null) {
            b.hasUser(true).username(username);
        }
        if (password != null) {
            b.hasPassword(true).password(password.getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    /**
     * DISCONNECT. 5.0 persistent subscriber: reason 0x00 with Session Expiry Interval 0, which ends the session
     * now (§3.14.2.2.2: allowed because the CONNECT's interval was not 0). Otherwise the two-byte packet, which in
     * 5.0 means reason 0x00 Normal disconnection without properties (§3.14.2.1).
     */
    MqttMessage disconnect(boolean persistent) {
        if (isV5() && persistent) {
            MqttProperties props = new MqttProperties();
            props.add(new MqttProperties.IntegerProperty(
                MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 0));
            return MqttMessageBuilders.disconnect().reasonCode((byte) 0).properties(props).build();
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0));
    }

    /** Accepts "3.1.1", "311", "4" (the 3.1.1 protocol level), "5", "5.0". */
    static ProtocolVersion parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "3.1.1":
            case "311":
            case "4":
                return V3_1_1;
            case "5":
            case "5.0":
                return V5;
            default:
                throw new IllegalArgumentException("--mqtt: unknown MQTT version '" + s + "' (3.1.1 or 5)");
        }
    }
}
