package dev.courier.mqtt.shell.internal;

import dev.courier.mqtt.transport.api.ConnectedClient;
import dev.courier.mqtt.transport.api.MqttTransport;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code mqtt:clients}: the connected MQTT clients, as a table. */
@Command(scope = "mqtt", name = "clients", description = "Lists the connected MQTT clients: id,"
    + " user, address, protocol, connected since, keep alive, clean start, QoS 1/2 in flight")
@Service
public class ClientsCommand implements Action {

  static final DateTimeFormatter SINCE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  @Reference
  MqttTransport transport;

  @Override
  public Object execute() {
    table(transport.clients()).print(System.out);
    return null;
  }

  /** The table of {@code clients}, sorted by client id. */
  static ShellTable table(List<ConnectedClient> clients) {
    ShellTable table = new ShellTable();
    table.column("Client");
    table.column("User");
    table.column("Address");
    table.column("Protocol");
    table.column("Connected since");
    table.column("Keep alive").alignRight();
    table.column("Clean");
    table.column("In flight").alignRight();
    clients.stream().sorted(Comparator.comparing(ConnectedClient::clientId)).forEach(client ->
        table.addRow().addContent(client.clientId(),
            client.username() == null ? "-" : client.username(), client.address(),
            client.protocol(), since(client.connectedAt()), client.keepAliveSeconds() + " s",
            client.cleanStart() ? "yes" : "no", client.inFlight()));
    return table;
  }

  private static String since(Instant when) {
    return SINCE.format(when);
  }
}
