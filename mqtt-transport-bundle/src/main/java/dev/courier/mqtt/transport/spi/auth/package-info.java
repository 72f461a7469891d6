/**
 * The authentication and authorization SPI of the MQTT transport.
 *
 * <p>An {@link dev.courier.mqtt.transport.spi.auth.Authenticator} service decides whether a CONNECT
 * may proceed and who the client is; an {@link dev.courier.mqtt.transport.spi.auth.Authorizer}
 * service decides per topic whether that client may publish or subscribe. Both answer with a {@link
 * java.util.concurrent.CompletionStage}: the transport never blocks an event loop on them, applies a
 * timeout, and treats a failure or a timeout as a refusal (fail closed).
 *
 * <p>An {@link dev.courier.mqtt.transport.spi.auth.EnhancedAuthenticator} service offers MQTT 5.0
 * enhanced authentication (challenge/response over the AUTH packet, e.g. SCRAM-SHA-256): each
 * exchange is an {@link dev.courier.mqtt.transport.spi.auth.AuthExchange} answering with {@link
 * dev.courier.mqtt.transport.spi.auth.AuthStep}s, under the same non-blocking, bounded, fail-closed
 * contract (since 0.3).
 *
 * <p>With no {@code Authenticator} registered every client is accepted as anonymous; with no {@code
 * Authorizer} every topic is allowed. The transport uses the highest-ranked service of each type.
 *
 * @since 0.2
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.courier.mqtt.transport.spi.auth;
