package dev.courier.mqtt.transport.internal.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Metatype of PID {@code dev.courier.mqtt.transport}: what an operator may set in {@code
 * etc/dev.courier.mqtt.transport.cfg}. The component reads the raw properties itself (so that a bad
 * value is reported by key, not silently coerced); these defaults match {@code
 * TransportConfig.defaults()}.
 */
@ObjectClassDefinition(
    id = TransportComponent.PID,
    name = "Courier MQTT transport",
    description = "MQTT 3.1/3.1.1 listener, limits and buffers. Changes apply at once: the listener"
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

  @AttributeDefinition(description = "Seconds: the longest keep-alive honoured; clients asking"
      + " for 0 or more are timed out after 1.5 times this.", min = "1", max = "65535")
  int maxKeepAliveSeconds() default 65535;

  @AttributeDefinition(description = "Seconds a new connection has to send CONNECT.", min = "1")
  int connectTimeoutSeconds() default 10;
}
