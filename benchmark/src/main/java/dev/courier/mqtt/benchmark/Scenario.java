package dev.courier.mqtt.benchmark;

import java.util.Locale;

/**
 * The cases a run can hold. The three throughput shapes: all clients of a case use one topic, every
 * subscriber gets every message, and a case runs per QoS. The two connection scenarios measure
 * connecting and sessions ({@link ConnectionCases}) and run once per MQTT version.
 */
public enum Scenario {
    ONE_TO_ONE("one-to-one", "o"),
    FAN_IN("fan-in", "i"),
    FAN_OUT("fan-out", "u"),
    /** N idle connections: connect rate, refusals, broker memory per connection. */
    CONNECTIONS("connections", "c"),
    /** N persistent sessions reconnect at once to messages queued while they were away. */
    RECONNECT_STORM("reconnect-storm", "r");

    private final String label;
    private final String code;

    Scenario(String label, String code) {
        this.label = label;
        this.code = code;
    }

    public String label() {
        return label;
    }

    /** One-letter code used in client ids and topics. */
    public String code() {
        return code;
    }

    /** One of the three message-throughput shapes, run per QoS. */
    public boolean throughput() {
        return this == ONE_TO_ONE || this == FAN_IN || this == FAN_OUT;
    }

    public int publishers(int width) {
        return this == FAN_IN ? width : 1;
    }

    public int subscribers(int width) {
        return this == FAN_OUT ? width : 1;
    }

    public static Scenario parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace("_", "-");
        switch (k) {
            case "one-to-one":
            case "onetoone":
            case "1to1":
            case "1-1":
            case "p2p":
                return ONE_TO_ONE;
            case "fan-in":
            case "fanin":
                return FAN_IN;
            case "fan-out":
            case "fanout":
                return FAN_OUT;
            case "connections":
                return CONNECTIONS;
            case "reconnect-storm":
            case "reconnectstorm":
                return RECONNECT_STORM;
            default:
                throw new IllegalArgumentException("unknown scenario '" + s
                    + "' (one-to-one, fan-in, fan-out, connections, reconnect-storm)");
        }
    }
}
