/**
 * The authentication and authorization SPI of the MQTT transport.
 *
 * <p>An {@link dev.courier.mqtt.transport.spi.auth.Authenticator} service decides whether a CONNECT
 * may proceed and who the client is; an {@link dev.courier.mqtt.transport.spi.auth.Authorizer}
 * service decides per topic whether that client may publish or subscribe. Both answer with a {@link
 * java.util.concurrent.CompletionStage}: the transport never blocks an event loop on them, applies a
 * timeout, and treats a failure or a timeout as a refusal (fail closed).
 *
 * <p>With no {@code Authenticator} registered every client is accepted as anonymous; with no {@code
 * Authorizer} every topic is allowed. The transport uses the highest-ranked service of each type.
 *
 * @since 0.2
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.courier.mqtt.transport.spi.auth;
