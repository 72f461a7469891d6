package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which topic filters the session may hold, for the UNSUBACK reason codes (MQTT 5.0 section
 * 3.11.3): 0x11 No subscription existed where that is certain, 0x00 Success otherwise.
 *
 * <p>A bridge that says which filters existed ({@code BridgeSession#unsubscribeExisting}, SPI
 * 0.6) is believed ({@link #exact}). For one that cannot tell, this knows what its connection did:
 * a session that was not resumed began without subscriptions; a resumed one may hold any filter
 * this connection did not subscribe, and such a filter is answered 0x00 as before (also when
 * unsubscribed again: only filters subscribed here are remembered, so that UNSUBSCRIBEs of unknown
 * filters cannot grow this). A filter handed to the bridge counts as held whatever the bridge
 * answered (a failed SUBSCRIBE may have left an earlier subscription in place). Used on the
 * connection's event loop only.
 */
final class SessionFilters {

  private static final int FAILURE = ReasonCode.UNSPECIFIED_ERROR.value();

  /** Whether the session began with no subscriptions: then an unknown filter was not held. */
  private final boolean beganEmpty;
  /** Filters this connection subscribed (true) or unsubscribed (false); created at first use. */
  private Map<String, Boolean> known;

  SessionFilters(boolean resumed) {
    this.beganEmpty = !resumed;
  }

  /** A SUBSCRIBE for {@code filter} went to the bridge. */
  void subscribing(String filter) {
    if (known == null) {
      known = new HashMap<>();
    }
    known.put(filter, Boolean.TRUE);
  }

  /**
   * An UNSUBSCRIBE goes to the bridge: the reason code of each filter, in order, and from now on
   * the filters are no longer held.
   */
  int[] unsubscribing(List<String> filters) {
    int[] codes = new int[filters.size()];
    for (int i = 0; i < codes.length; i++) {
      String filter = filters.get(i);
      Boolean held = known == null ? null : known.get(filter);
      if (held == null ? beganEmpty : !held) {
        codes[i] = ReasonCode.NO_SUBSCRIPTION_EXISTED.value();
      }
      if (held != null) {
        // Began empty: absent means not held, so the entry can go; else remember the removal.
        if (beganEmpty) {
          known.remove(filter);
        } else {
          known.put(filter, Boolean.FALSE);
        }
      }
    }
    return codes;
  }

  /**
   * The reason codes from what the bridge said (SPI 0.6), where it said something.
   *
   * @param guessed the codes {@link #unsubscribing} gave, one per filter; changed and returned
   * @param held per filter whether the session held it, or null if the bridge cannot tell
   */
  static int[] exact(int[] guessed, List<Boolean> held) {
    if (held == null || held.size() != guessed.length) {
      return guessed;
    }
    for (int i = 0; i < guessed.length; i++) {
      Boolean existed = held.get(i);
      if (existed != null) {
        guessed[i] = existed ? ReasonCode.SUCCESS.value()
            : ReasonCode.NO_SUBSCRIPTION_EXISTED.value();
      }
    }
    return guessed;
  }

  /**
   * The bridge failed an UNSUBSCRIBE: the filters may still be held.
   *
   * @return the reason codes to send, 0x80 for each
   */
  int[] unsubscribeFailed(List<String> filters) {
    int[] codes = new int[filters.size()];
    for (int i = 0; i < codes.length; i++) {
      subscribing(filters.get(i));
      codes[i] = FAILURE;
    }
    return codes;
  }
}
