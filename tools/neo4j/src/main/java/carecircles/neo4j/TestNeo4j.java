package carecircles.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * A test Neo4j 5.26 Community server: the embedded database with its Bolt connector on a loopback
 * port, authentication on, the initial password of user {@code neo4j} set to the one given.
 *
 * <pre>
 * java -cp 'target/classes:target/lib/*' carecircles.neo4j.TestNeo4j \
 *     --data DIR --password SECRET [--port 0] [--host 127.0.0.1] [--exit-on-stdin-eof]
 * </pre>
 *
 * <p>Prints exactly one line {@code NEO4J_BOLT_URI bolt://HOST:PORT} on standard output when the
 * default database {@code neo4j} is available (port 0 picks a free port; the line gives the one
 * bound). Shuts down cleanly on SIGTERM/SIGINT (a shutdown hook) and, with {@code
 * --exit-on-stdin-eof}, when its standard input closes (so a parent that dies takes it along).
 * Neo4j's own logs go to {@code DIR/logs}.
 */
public final class TestNeo4j {
  private static final String READY_PREFIX = "NEO4J_BOLT_URI ";

  private TestNeo4j() {}

  public static void main(String[] args) throws Exception {
    Path data = null;
    String password = null;
    String host = "127.0.0.1";
    int port = 0;
    boolean exitOnStdinEof = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
        case "--password" -> password = args[++i];
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--exit-on-stdin-eof" -> exitOnStdinEof = true;
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (data == null) {
      usage("--data DIR is required");
    }
    if (password == null || password.length() < 8) {
      usage("--password is required (Neo4j wants at least 8 characters)");
    }
    if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
      usage("--host must be a loopback address (this is a test server)");
    }
    Files.createDirectories(data);

    DatabaseManagementService service =
        new DatabaseManagementServiceBuilder(data)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
            .setConfig(GraphDatabaseSettings.auth_enabled, true)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(256))
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.shutdown();
                  stopped.countDown();
                },
                "neo4j-shutdown"));

    GraphDatabaseService system = service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
    GraphDatabaseService neo4j = service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    if (!system.isAvailable(Duration.ofMinutes(2).toMillis())
        || !neo4j.isAvailable(Duration.ofMinutes(2).toMillis())) {
      System.err.println("TestNeo4j: the databases did not become available");
      System.exit(1);
    }
    // The embedded API runs with full rights, so it can set the password Bolt clients must use.
    system.executeTransactionally(
        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
        Map.of("password", password));

    HostnamePort bound =
        ((GraphDatabaseAPI) system)
            .getDependencyResolver()
            .resolveDependency(ConnectorPortRegister.class)
            .getLocalAddress(ConnectorType.BOLT);
    String uriHost = bound.getHost().contains(":") ? "[" + bound.getHost() + "]" : bound.getHost();
    System.out.println(READY_PREFIX + "bolt://" + uriHost + ":" + bound.getPort());
    System.out.flush();

    if (exitOnStdinEof) {
      Thread watcher =
          new Thread(
              () -> {
                try (InputStream in = System.in) {
                  while (in.read() != -1) {
                    // ignore what comes in; only the end matters
                  }
                } catch (IOException ignored) {
                  // a broken pipe ends it as well
                }
                System.exit(0); // runs the shutdown hook
              },
              "stdin-eof-watcher");
      watcher.setDaemon(true);
      watcher.start();
    }
    while (!stopped.await(1, TimeUnit.HOURS)) {
      // wait for the shutdown hook
    }
  }

  private static void usage(String problem) {
    System.err.println("TestNeo4j: " + problem);
    System.err.println(
        "usage: TestNeo4j --data DIR --password SECRET [--port 0] [--host 127.0.0.1]"
            + " [--exit-on-stdin-eof]");
    System.exit(2);
  }
}
