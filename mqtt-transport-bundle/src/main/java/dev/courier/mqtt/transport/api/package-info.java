/**
 * Public API of the Courier MQTT transport: the {@link dev.courier.mqtt.transport.api.MqttTransport}
 * service that the transport component registers while its listener is bound.
 *
 * @since 0.1
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package dev.courier.mqtt.transport.api;
