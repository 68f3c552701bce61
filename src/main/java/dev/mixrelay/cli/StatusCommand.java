package dev.mixrelay.cli;

import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.log.LogSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code status}: what the relay of a config holds and whether it runs, read-only: the log's
 * backlog, dead letters per destination and session checkpoints from {@code storage.dir}, and,
 * when a relay runs there, its {@code /ready} answer.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Show the relay's backlog, dead letters and readiness (read-only; works while"
        + " it runs)."})
final class StatusCommand implements dev.mixrelay.cli.Command {

  @Mixin
  ConfigOption config = new ConfigOption();

  @Override
  public Integer call() {
    RelayConfig config = this.config.load();
    if (config == null) {
      return 2;
    }
    if (config.engine() == RelayConfig.Engine.kafka) {
      System.out.println("engine: kafka; each node answers GET /ready and /metrics (consumer lag);"
          + " this command reads an embedded relay's storage only");
      return ready(config) ? 0 : 1;
    }
    Path dir = Path.of(config.storage().dir());
    try (LogSnapshot log = LogSnapshot.open(dir)) {
      boolean running = log.inUse();
      LogSnapshot.Status s = log.status();
      System.out.println("storage: " + dir.toAbsolutePath() + " (" + (running
          ? "a relay is running on it" : "no relay is running on it") + ")");
      System.out.println("backlog: " + s.backlogMessages() + " message(s), " + s.backlogBytes()
          + " bytes not yet delivered" + (s.backlogMessages() == 0 ? ""
          : ", oldest appended " + Instant.ofEpochMilli(s.oldestAppendedAtMillis())));
      System.out.println("offsets: last appended " + s.lastOffset() + ", delivered up to "
          + s.ackedOffset());
      config.destinations().keySet().forEach(d -> System.out.println("destination " + d
          + ": " + s.deadLettersByDestination().getOrDefault(d, 0L) + " dead letter(s)"));
      if (running) {
        return ready(config) ? 0 : 1;
      }
      return 0;
    }
  }

  /** Prints the running relay's /ready answer; false when it is not ready or does not answer. */
  private static boolean ready(RelayConfig config) {
    String host = config.server().host().equals("0.0.0.0") ? "127.0.0.1" : config.server().host();
    String scheme = config.server().tls() == null ? "http" : "https";
    URI uri = URI.create(scheme + "://" + host + ":" + config.server().port() + "/ready");
    try {
      HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
          .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.ofString());
      System.out.println("ready: " + r.statusCode() + " " + r.body());
      return r.statusCode() == 200;
    } catch (Exception e) {
      System.out.println("ready: no answer from " + uri + " (" + RunCommand.rootMessage(e) + ")");
      return false;
    }
  }
}
