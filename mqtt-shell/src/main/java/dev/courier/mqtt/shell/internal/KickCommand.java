package dev.courier.mqtt.shell.internal;

import dev.courier.mqtt.transport.api.MqttTransport;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code mqtt:kick [--reason R] <client>}: disconnects a client. */
@Command(scope = "mqtt", name = "kick", description = "Disconnects a connected MQTT client: an"
    + " MQTT 5.0 client gets DISCONNECT 0x98 Administrative action with the reason, a 3.x client"
    + " is closed; its will is published")
@Service
public class KickCommand implements Action {

  @Argument(index = 0, name = "client", description = "The client id", required = true)
  @Completion(ClientIdCompleter.class)
  String clientId;

  @Option(name = "--reason", aliases = "-r", description = "Why: the Reason String an MQTT 5.0"
      + " client is sent, and the events log's reason")
  String reason;

  @Reference
  MqttTransport transport;

  @Override
  public Object execute() {
    System.out.println(transport.kick(clientId, reason)
        ? "Client " + clientId + " disconnected"
        : "No client " + clientId + " is connected");
    return null;
  }
}
