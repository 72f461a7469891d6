package dev.courier.mqtt.transport.internal.protocol.flow;

import dev.courier.mqtt.transport.internal.protocol.dialect.ReasonCode;
import dev.courier.mqtt.transport.spi.bridge.Publication;

/**
 * What a step of the CONNECT exchange decided: go on, or refuse with a CONNACK reason code.
 *
 * @param code SUCCESS to go on, else the refusal
 * @param clientId the client id as sent, for the log
 * @param reason why, for the log (never sent to a 3.x client)
 * @param will the will of an accepted CONNECT, or null
 * @param sessionPresent for an accepted CONNECT whose session is open: whether it was resumed
 * @param authData the final Authentication Data of an enhanced authentication for the CONNACK, or
 *     null
 */
public record ConnectOutcome(ReasonCode code, String clientId, String reason, Publication will,
    boolean sessionPresent, byte[] authData) {

  /** Go on, without a will. */
  public static final ConnectOutcome ACCEPTED =
      new ConnectOutcome(ReasonCode.SUCCESS, null, null, null, false, null);

  /**
   * The connection closed (or was taken over) while connecting: nothing to answer, and whatever it
   * holds is to be let go. Compared by identity.
   */
  public static final ConnectOutcome GONE =
      new ConnectOutcome(ReasonCode.UNSPECIFIED_ERROR, null, "connection gone", null, false, null);

  public static ConnectOutcome refused(ReasonCode code, String clientId, String reason) {
    return new ConnectOutcome(code, clientId, reason, null, false, null);
  }

  /** A CONNECT read and found acceptable: go on, with its will (or null). */
  public static ConnectOutcome accepted(String clientId, Publication will) {
    return new ConnectOutcome(ReasonCode.SUCCESS, clientId, null, will, false, null);
  }

  /** This accepted outcome with its session open. */
  public ConnectOutcome opened(boolean present) {
    return new ConnectOutcome(code, clientId, reason, will, present, authData);
  }

  /** This outcome with the final Authentication Data for the CONNACK (null: none). */
  public ConnectOutcome withAuthData(byte[] data) {
    return new ConnectOutcome(code, clientId, reason, will, sessionPresent, data);
  }

  public boolean accepted() {
    return code == ReasonCode.SUCCESS;
  }
}
