package dev.courier.mqtt.transport.internal.bridge.memory;

/**
 * What the bridge's subscription trie routes a publication to: a session, for its own
 * subscriptions, or a shared subscription group (MQTT 5.0 section 4.8.2), which then chooses one
 * of its members. One trie and one match serve both.
 */
sealed interface Subscriber permits InMemorySession, SharedGroup {}
