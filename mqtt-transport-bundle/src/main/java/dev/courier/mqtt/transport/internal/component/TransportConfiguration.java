package dev.courier.mqtt.transport.internal.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Metatype of PID {@code dev.courier.mqtt.transport}: what an operator may set in {@code
 * etc/dev.courier.mqtt.transport.cfg}. The component reads the raw properties itself (so that a bad
 * value is reported by key, not silently coerced); these defaults match {@code
 * TransportConfig.defaults()}.
 */
@ObjectClassDefinition(
    id = TransportComponent.PID,
    name = "Courier MQTT transport",
    description = "MQTT 3.1/3.1.1/5.0 listeners (plain and TLS), limits and buffers. Changes apply at once: the listener"
        + " is rebound; an invalid value is rejected and the running listener stays.")
@interface TransportConfiguration {

  @AttributeDefinition(description = "Run the MQTT listener.")
  boolean enabled() default true;

  @AttributeDefinition(description = "Interface to bind; 0.0.0.0 for all.")
  String host() default "0.0.0.0";

  @AttributeDefinition(description = "Plain MQTT port (0 picks a free one).", min = "0",
      max = "65535")
  int port() default 1883;

  @AttributeDefinition(description = "Bytes: the largest read buffer per connection.",
      min = "64")
  int inboundBufferSize() default 32768;

  @AttributeDefinition(description = "Bytes: outbound buffer per connection above which no more"
      + " messages are taken from the broker until half of it is sent.", min = "64")
  int deliveryBufferSize() default 32768;

  @AttributeDefinition(description = "Bytes: the largest MQTT packet accepted; larger ones close"
      + " the connection.", min = "16")
  int maxPacketSize() default 1048576;

  @AttributeDefinition(description = "Characters: the longest client identifier accepted.",
      min = "23")
  int maxClientIdLength() default 256;

  @AttributeDefinition(description = "QoS 1/2 messages sent to one client and not yet"
      + " acknowledged; also the publications of one client awaiting the broker.", min = "1")
  int maxInflightMessages() default 64;

  @AttributeDefinition(description = "Messages held for one session (connected or persistent and"
      + " away); beyond it new messages for that session are dropped and counted.", min = "1")
  int maxQueuedMessages() default 10000;

  @AttributeDefinition(description = "Bytes (payload and topic; on Artemis what it stores of each"
      + " message) held for one session, beside maxQueuedMessages. Beyond either bound new"
      + " messages for that session are dropped, counted and logged: while the client is"
      + " connected QoS 0 ones, and QoS 1/2 ones beyond twice the bound; while it is away every"
      + " newer one.", min = "1024")
  long maxQueuedBytes() default 67108864L;

  @AttributeDefinition(description = "Retained messages held at most, all topics together. A"
      + " retained PUBLISH for a new topic beyond it is refused, neither stored nor delivered:"
      + " 0x97 Quota exceeded on MQTT 5.0, the connection closed on MQTT 3.x; counted and logged."
      + " Replacing or clearing a topic's message always works.", min = "1")
  int maxRetainedMessages() default 1000000;

  @AttributeDefinition(description = "Bytes (payload and topic) of the retained messages held at"
      + " most. A retained PUBLISH that would go beyond it (a new topic, or the growth of a"
      + " replaced message) is refused as for maxRetainedMessages; clearing always works.",
      min = "1024")
  long maxRetainedBytes() default 268435456L;

  @AttributeDefinition(description = "Seconds: the longest keep-alive honoured; clients asking"
      + " for 0 or more are timed out after 1.5 times this.", min = "1", max = "65535")
  int maxKeepAliveSeconds() default 65535;

  @AttributeDefinition(description = "Seconds a new connection has to send CONNECT.", min = "1")
  int connectTimeoutSeconds() default 10;

  @AttributeDefinition(description = "Seconds to wait for the authenticator or authorizer; no"
      + " answer counts as a refusal.", min = "1")
  int authTimeoutSeconds() default 15;

  @AttributeDefinition(description = "MQTT 5.0: topic aliases a client may use towards the server"
      + " on one connection (CONNACK Topic Alias Maximum). 0: none; CONNACK then carries no Topic"
      + " Alias Maximum and a PUBLISH with an alias is refused with 0x94.", min = "0",
      max = "65535")
  int topicAliasMaximum() default 16;

  @AttributeDefinition(description = "Seconds: MQTT 5.0, the longest Session Expiry Interval"
      + " granted; a client asking more is granted this and told so in CONNACK, also for the"
      + " interval it sets at DISCONNECT. 0: no 5.0 session outlives its connection. 4294967295:"
      + " no limit (a client asking for it keeps its session until a Clean Start).", min = "0",
      max = "4294967295")
  long maxSessionExpirySeconds() default 4294967295L;

  @AttributeDefinition(description = "Seconds: MQTT 3.1/3.1.1, how long a session with"
      + " cleanSession=false is kept after its connection ends (subscriptions and queued QoS 1/2"
      + " messages), then deleted. 4294967295: until a clean session with the same client id"
      + " replaces it, as MQTT 3.1.1 specifies.", min = "1", max = "4294967295")
  long mqtt311SessionExpirySeconds() default 4294967295L;

  @AttributeDefinition(description = "Client connections the transport holds at most (plain and"
      + " TLS together); one more is answered CONNACK 3 (MQTT 3.1.1) or 0x97 Quota exceeded (MQTT 5.0) and closed, counted and"
      + " logged. 0: the process's open-file limit less 1024 (no limit when it is not known).",
      min = "0")
  int maxConnections() default 0;

  @AttributeDefinition(description = "Bytes (UTF-8): the longest topic name or topic filter"
      + " accepted. Over it a SUBSCRIBE filter gets 0x8F Topic Filter invalid (0x80 on MQTT"
      + " 3.1.1) and an UNSUBSCRIBE filter 0x8F; an MQTT 5.0 QoS 1/2 PUBLISH gets PUBACK/PUBREC"
      + " 0x90 Topic Name invalid, a QoS 0 one DISCONNECT 0x90; an MQTT 3.1.1 PUBLISH closes the"
      + " connection; a will topic refuses the CONNECT (CONNACK 0x90, closed on 3.1.1). Counted"
      + " and logged. 65535, the protocol's bound: no limit.", min = "1", max = "65535")
  int maxTopicLength() default 65535;

  @AttributeDefinition(description = "The most levels (parts between '/') a topic name or topic"
      + " filter may have; over it, refused as for maxTopicLength.", min = "1", max = "65535")
  int maxTopicLevels() default 1024;

  @AttributeDefinition(description = "PUBLISH packets per second one client may send (bursts of"
      + " up to a second's worth). A faster client is throttled: reading from it pauses until it"
      + " may publish again; it is never disconnected for it. Counted and logged. 0: no limit.",
      min = "0", max = "1000000")
  int maxPublishRate() default 0;

  @AttributeDefinition(description = "New connections per second each listener accepts; a burst"
      + " of up to one second's worth is accepted at once. One more is answered CONNACK 3 (MQTT"
      + " 3.1.1) or 0x9F Connection rate exceeded (MQTT 5.0) and closed, counted and logged."
      + " 0: no limit.", min = "0", max = "1000000")
  int maxConnectRate() default 20000;

  @AttributeDefinition(description = "Percent: new connections are refused while the heap in use"
      + " after the last garbage collection, or the direct memory in use, is above this share of"
      + " its maximum: CONNACK 3 (MQTT 3.1.1) or 0x89 Server busy (MQTT 5.0), counted and logged;"
      + " open connections are not touched. 0: never.", min = "0", max = "99")
  int memoryRefusalPercent() default 90;

  @AttributeDefinition(description = "Event loops (threads) that own the client connections,"
      + " reading, writing and running the protocol for them. 0: one per processor. New"
      + " connections fill the loops in chunks of 64, so that a few clients share a loop (a"
      + " delivery between loops wakes another processor) and many stay balanced. A change restarts the listeners: connected clients are disconnected so that"
      + " they reconnect.", min = "0", max = "1024")
  int ioThreads() default 0;

  @AttributeDefinition(description = "Port of the MQTT over WebSocket listener (ws://host:port"
      + "/mqtt), for browsers and apps that speak MQTT over WebSocket: sub-protocols mqtt and"
      + " mqttv3.1, binary frames, the same limits and authentication as the TCP listener. -1: no"
      + " such listener.", min = "-1", max = "65535")
  int websocketPort() default -1;

  @AttributeDefinition(description = "Port of the MQTT over secure WebSocket listener (wss://),"
      + " with the TLS listener's key store and settings; it runs only while TLS is configured"
      + " (sslEnabled). -1: no such listener.", min = "-1", max = "65535")
  int websocketSslPort() default -1;

  @AttributeDefinition(description = "The HTTP path on which the WebSocket listeners accept the"
      + " upgrade to MQTT; a request for any other path is answered 404 Not Found.")
  String websocketPath() default "/mqtt";

  @AttributeDefinition(description = "IP addresses (comma-separated) of reverse proxies in front"
      + " of the WebSocket listeners. On a connection from one of them, the client's address (for"
      + " the authenticator's failed-login throttling and the log) is taken from the upgrade"
      + " request's X-Forwarded-For header: the right-most entry that is not itself a trusted"
      + " proxy. From any other peer the header is ignored. Empty: always ignored.")
  String websocketTrustedProxies() default "";

  @AttributeDefinition(description = "The bridge the listener needs. auto: the highest-ranked"
      + " bridge service; while an installed bundle provides a bridge that is not registered (at"
      + " boot, at shutdown, while it restarts) no listener is bound, so nothing is acknowledged on"
      + " a bridge that would not keep it; the in-memory bridge only when no bundle provides one."
      + " any: the highest-ranked bridge service, else the in-memory bridge at once. in-memory:"
      + " always the in-memory bridge. Any other value names the one bridge to wait for (artemis).")
  String bridge() default "auto";

  @AttributeDefinition(description = "Whether CONNECT needs an authenticator service (fail"
      + " closed: without one every CONNECT is refused with 'server unavailable'). auto: while an"
      + " installed bundle provides an authenticator (the courier-mqtt-auth feature).",
      options = {
          @Option(label = "Auto", value = "auto"),
          @Option(label = "Required", value = "true"),
          @Option(label = "Not required (open without one)", value = "false")})
  String requireAuthenticator() default "auto";

  @AttributeDefinition(description = "Whether PUBLISH and SUBSCRIBE need an authorizer service"
      + " (fail closed: without one publications close the connection unacknowledged and"
      + " subscriptions get 0x80). auto: while an installed bundle provides an authorizer.",
      options = {
          @Option(label = "Auto", value = "auto"),
          @Option(label = "Required", value = "true"),
          @Option(label = "Not required (open without one)", value = "false")})
  String requireAuthorizer() default "auto";

  @AttributeDefinition(description = "MQTT 5.0: the reason code of a refused PUBLISH or SUBSCRIBE"
      + " filter. not-authorized: 0x87; unspecified: 0x80, so that a client cannot tell a"
      + " protected topic from any other failure. MQTT 3.1.1 acks are fixed by its specification.",
      options = {
          @Option(label = "0x87 Not authorized", value = "not-authorized"),
          @Option(label = "0x80 Unspecified error", value = "unspecified")})
  String authorizationRefusal() default "not-authorized";

  @AttributeDefinition(description = "Run the MQTT over TLS listener. When not set, it runs if"
      + " sslKeystorePath is set.")
  boolean sslEnabled() default false;

  @AttributeDefinition(description = "MQTT over TLS port.", min = "0", max = "65535")
  int sslPort() default 8883;

  @AttributeDefinition(description = "Key store file with the server's key and certificate.")
  String sslKeystorePath() default "";

  @AttributeDefinition(description = "Key store password.", type = AttributeType.PASSWORD)
  String sslKeystorePassword() default "";

  @AttributeDefinition(description = "Key store type: PKCS12 or JKS.")
  String sslKeystoreType() default "PKCS12";

  @AttributeDefinition(description = "Private key password; defaults to the key store password.",
      type = AttributeType.PASSWORD)
  String sslKeyPassword() default "";

  @AttributeDefinition(description = "Trust store with the issuers of client certificates; empty"
      + " for the JDK's default trust.")
  String sslTruststorePath() default "";

  @AttributeDefinition(description = "Trust store password.", type = AttributeType.PASSWORD)
  String sslTruststorePassword() default "";

  @AttributeDefinition(description = "Trust store type: PKCS12 or JKS.")
  String sslTruststoreType() default "PKCS12";

  @AttributeDefinition(description = "Enabled TLS protocols, comma separated.")
  String sslProtocols() default "TLSv1.3,TLSv1.2";

  @AttributeDefinition(description = "Enabled cipher suites, comma separated; empty for the JDK's"
      + " defaults.")
  String sslCipherSuites() default "";

  @AttributeDefinition(description = "Client certificates: NONE, OPTIONAL or REQUIRED.",
      options = {
          @Option(label = "None", value = "NONE"),
          @Option(label = "Optional", value = "OPTIONAL"),
          @Option(label = "Required", value = "REQUIRED")})
  String sslClientAuth() default "NONE";

  @AttributeDefinition(description = "Give the authenticator the client certificate's subject CN"
      + " as the user name.")
  boolean sslUsernameFromCertificate() default false;
}
