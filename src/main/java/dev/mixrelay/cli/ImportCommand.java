package dev.mixrelay.cli;

import dev.mixrelay.imports.ProgressLine;
import dev.mixrelay.imports.Polling;

import dev.mixrelay.imports.Importer;
import dev.mixrelay.imports.ImportIntake;
import dev.mixrelay.imports.ImportProgress;
import dev.mixrelay.app.Relay;

import dev.mixrelay.config.DestinationConfig;
import dev.mixrelay.config.RelayConfig;
import dev.mixrelay.config.SourceConfig;
import dev.mixrelay.ingest.MessageAdmission;
import dev.mixrelay.log.SqliteIntakeLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code import FILE...}: backfills files of Segment messages through a relay started in-process
 * on the given config: admitted as intake admits them and appended straight to its log, in file
 * order, then translation, sessions and delivery as for live traffic; with progress on the
 * terminal, resumable from {@code import-progress.json}, and a final summary.
 */
@Command(name = "import", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {"Backfill NDJSON / JSON-array files (.gz too) through a relay started in-process"
        + " on the config; resumable from STORAGE_DIR/import-progress.json.",
        "Each rejected message is named as FILE:LINE: reason."})
final class ImportCommand implements dev.mixrelay.cli.Command {
  private static final Logger LOG = LoggerFactory.getLogger(ImportCommand.class);
  private static final Duration LIMIT = Duration.ofMinutes(2);
  private static final Duration DELIVERY_LIMIT = Duration.ofHours(6);
  /** Rejected lines shown on the terminal; {@code --rejects FILE} gets all of them. */
  static final int SHOWN_REJECTS = 20;
  /** Half of what the log keeps in memory, so the pipeline reads what import parsed from there. */
  private static final ImportIntake.Pace PACE = new ImportIntake.Pace(
      SqliteIntakeLog.RECENT_MESSAGES / 2, SqliteIntakeLog.RECENT_BYTES / 2);

  private final PrintStream out;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "the files to import, in order")
  List<Path> files = new ArrayList<>();

  @Mixin
  ConfigOption config = new ConfigOption();

  @Option(names = "--batch", paramLabel = "N", defaultValue = "1000",
      description = "messages per append (default: ${DEFAULT-VALUE})")
  int batch = 1000;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
      description = "appends outstanding at once (default: ${DEFAULT-VALUE})")
  int parallel = 4;

  @Option(names = "--max-batches", paramLabel = "N", defaultValue = "0",
      description = "stop after N batches (0: no limit; to try out resuming)")
  long maxBatches;

  @Option(names = "--write-key", paramLabel = "KEY",
      description = "import as the source with this write key (default: the first source)")
  String writeKey;

  @Option(names = "--rejects", paramLabel = "FILE",
      description = "write every rejected message here, one 'FILE:LINE: reason' a line")
  Path rejectsFile;

  ImportCommand() {
    this(System.out);
  }

  ImportCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    for (Path f : files) {
      if (!Files.isReadable(f)) {
        System.err.println("mixrelay: cannot read " + f);
        return 2;
      }
    }
    if (batch < 1 || parallel < 1 || maxBatches < 0) {
      System.err.println("mixrelay: --batch and --parallel must be at least 1 and --max-batches"
          + " at least 0, were " + batch + ", " + parallel + ", " + maxBatches);
      return 2;
    }
    Importer.Settings settings = new Importer.Settings(batch, parallel, maxBatches);
    RelayConfig config = this.config.load();
    if (config == null) {
      return 2;
    }
    Logging.configure(config.logging());
    String key = writeKey != null ? writeKey : config.sources().get(0).writeKey();
    Optional<SourceConfig> source = config.sourceForWriteKey(key);
    if (source.isEmpty()) {
      System.err.println("mixrelay: --write-key: the write key is not configured here (it must be"
          + " the writeKey of one of the config's sources)");
      return 2;
    }
    for (DestinationConfig d : config.destinations().values()) {
      if (DestinationConfig.EMBEDDED_MOCK.equals(d.apiHost())) {
        System.err.println("mixrelay: warning: destination " + d.name() + " in " + this.config.path
            + " delivers to the embedded mock Mixpanel (apiHost: embedded-mock), which stops when"
            + " this import ends: what it delivers there is not kept anywhere. Import with a"
            + " config whose apiHost is real Mixpanel or a mock you run yourself.");
      }
    }
    try (RejectLines rejects = new RejectLines(rejectsFile, System.err, SHOWN_REJECTS)) {
      int code = run(config, files, source.get(), settings, rejects);
      rejects.finish();
      return code;
    }
  }

  private int run(RelayConfig config, List<Path> files, SourceConfig source,
      Importer.Settings settings, Importer.Rejects rejects) throws Exception {
    Vertx vertx = Vertx.vertx();
    Relay relay;
    try {
      relay = Polling.await(Relay.start(vertx, config, Clock.systemUTC()), LIMIT);
    } catch (Exception e) {
      LOG.error("mixrelay could not start: {} (import runs its own relay on this config: stop a"
          + " relay running on the same port and storage.dir first)", RunCommand.rootMessage(e));
      Polling.await(vertx.close(), LIMIT);
      return 1;
    }
    AtomicReference<Future<Void>> stopping = new AtomicReference<>();
    Runnable stop = () -> {
      synchronized (stopping) {
        if (stopping.get() == null) {
          stopping.set(relay.stop(Duration.ofSeconds(30)));
        }
      }
    };
    Thread hook = new Thread(() -> {
      System.err.println(System.lineSeparator() + "mixrelay: interrupted; stopping the relay (what"
          + " intake accepted stays in its log: run the same command again to resume)");
      stop.run();
      try {
        Polling.await(stopping.get(), LIMIT);
      } catch (Exception e) {
        System.err.println("mixrelay: the relay did not stop cleanly: " + RunCommand.rootMessage(e));
      }
    }, "mixrelay-import-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = 0;
    try {
      ImportIntake intake = new ImportIntake(vertx, relay.log(),
          new MessageAdmission(config), relay.metrics().intake(), source.name(),
          Clock.systemUTC(), relay.engine()::readUpTo, PACE);
      ImportProgress progress = ImportProgress.load(Path.of(config.storage().dir()));
      boolean terminal = System.console() != null;
      out.println("counting the messages in " + files.size() + " file(s) ...");
      Importer.Result result = new Importer(intake, progress, settings, rejects).run(files,
          (total, done, start) -> new ProgressLine(out, terminal, total, done, start));
      long t0 = System.nanoTime();
      out.println("waiting until everything accepted is delivered ...");
      Polling.await(relay.logFinished(), DELIVERY_LIMIT);
      // the files are the users' history: their sessions go out now, not at the next start
      Polling.await(relay.engine().closeSessionsAtInputEnd(), DELIVERY_LIMIT);
      double deliverSeconds = (System.nanoTime() - t0) / 1e9;
      out.print(summary(result, deliverSeconds));
    } catch (Exception e) {
      out.println();
      System.err.println("mixrelay: import stopped: " + RunCommand.rootMessage(e)
          + " (run the same command again to resume)");
      code = 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook stops the relay
      }
      stop.run();
      Polling.await(stopping.get(), LIMIT);
      Polling.await(vertx.close(), LIMIT);
    }
    return code;
  }

  static String summary(Importer.Result r, double deliverSeconds) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "import %s: %,d messages in the files, %,d already"
        + " imported by an earlier run, %,d sent now in %,d batches%n",
        r.stoppedEarly() ? "stopped early (--max-batches)" : "finished", r.total(), r.skipped(),
        r.sent(), r.batches()));
    sb.append(String.format(Locale.ROOT, "  accepted %,d, rejected %,d%s%n", r.accepted(),
        r.rejectedCount(), r.waited() == 0 ? "" : String.format(Locale.ROOT,
            " (%,d batches waited for back-pressure)", r.waited())));
    r.rejected().forEach((reason, n) -> sb.append(String.format(Locale.ROOT, "    %,8d  %s%n", n,
        reason)));
    double total = r.seconds() + deliverSeconds;
    sb.append(String.format(Locale.ROOT, "  intake: %.1f s (%,.0f messages/s); delivered %.1f s"
        + " later (%,.0f messages/s end to end)%n", r.seconds(), r.sent() / Math.max(1e-3,
        r.seconds()), deliverSeconds, r.sent() / Math.max(1e-3, total)));
    return sb.toString();
  }
}
