package dev.courier.mqtt.shell.internal;

import dev.courier.mqtt.transport.api.ConnectedClient;
import dev.courier.mqtt.transport.api.MqttTransport;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the ids of the connected clients. */
@Service
public class ClientIdCompleter implements Completer {

  @Reference
  MqttTransport transport;

  @Override
  public int complete(Session session, CommandLine commandLine, List<String> candidates) {
    StringsCompleter ids = new StringsCompleter();
    for (ConnectedClient client : transport.clients()) {
      ids.getStrings().add(client.clientId());
    }
    return ids.complete(session, commandLine, candidates);
  }
}
