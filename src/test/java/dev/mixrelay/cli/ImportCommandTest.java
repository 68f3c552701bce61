package dev.mixrelay.cli;

import dev.mixrelay.imports.ImportProgress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mixrelay.mixpanel.MixpanelRecord;
import dev.mixrelay.mock.MockMixpanel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code import} of archive files through an in-process relay to a mock Mixpanel. */
class ImportCommandTest {
  private static final Set<String> SESSION_EVENTS = Set.of("Session Start", "Session End");

  @TempDir
  Path dir;
  MockMixpanel mock;
  Path config;
  final ByteArrayOutputStream output = new ByteArrayOutputStream();

  @BeforeEach
  void startMock() throws IOException {
    mock = MockMixpanel.builder().port(0).build().start();
    config = dir.resolve("relay.yaml");
    Files.writeString(config, """
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s", fsync: batch }
        sources:
          - { writeKey: import-key, destination: main }
        destinations:
          main: { token: t, apiSecret: s, apiHost: "%s" }
        logging: { level: WARN }
        """.formatted(dir.resolve("data").toString().replace("\\", "/"), mock.baseUrl()));
  }

  @AfterEach
  void stopMock() {
    mock.stop();
  }

  @Test
  void importsAGzippedNdjsonFileAndAJsonArrayFileToTheMock() throws Exception {
    List<String> lines = tracks("a", 1200);
    lines.add(5, "");
    lines.add(10, "not json at all");
    lines.add(700, "{\"type\":\"track\",\"event\":broken}");
    lines.add(900, "{\"type\":\"track\",\"userId\":\"u\",\"messageId\":\"no-event\"}");
    lines.add(950, "{\"type\":\"track\",\"event\":\"big\",\"userId\":\"u\",\"p\":\""
        + "x".repeat(40_000) + "\"}");
    Path ndjson = dir.resolve("events.ndjson.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(ndjson))) {
      out.write(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }
    Path array = dir.resolve("pages.json");
    List<String> pages = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      pages.add("{\"type\":\"page\",\"name\":\"Home\",\"anonymousId\":\"anon-" + i
          + "\",\"messageId\":\"p-" + i + "\",\"timestamp\":\"" + time(i) + "\"}");
    }
    Files.writeString(array, "[\n" + String.join(",\n", pages) + "\n]\n");

    int code = command().run(List.of(ndjson.toString(), array.toString(), "--config",
        config.toString(), "--batch", "100"));

    assertThat(code).as(output.toString()).isZero();
    assertThat(output.toString()).contains("import finished: 1,234 messages in the files")
        .contains("accepted 1,230, rejected 4").contains("message: malformed JSON")
        .contains("event: is required for track").contains("message: is larger than 32768 bytes")
        .contains("messages/s");
    List<MixpanelRecord> events = ownEvents();
    assertThat(events).hasSize(1230);
    assertThat(events.stream().filter(e -> e.eventName().equals("Loaded a Page"))).hasSize(30);
    assertThat(Files.readString(dir.resolve("data").resolve(ImportProgress.FILE_NAME)))
        .contains("\"messages\" : 1204").contains("\"messages\" : 30");
  }

  @Test
  void anInterruptedImportResumesAndDeliversEveryMessageExactlyOnce() throws Exception {
    Path file = dir.resolve("day.ndjson");
    Files.writeString(file, String.join("\n", tracks("r", 2000)) + "\n");

    int first = command().run(List.of(file.toString(), "--config", config.toString(),
        "--batch", "100", "--max-batches", "5"));
    assertThat(first).isZero();
    assertThat(output.toString()).contains("stopped early").contains("sent now in 5 batches");
    assertThat(ownEvents()).hasSize(500);

    int second = command().run(List.of(file.toString(), "--config", config.toString(),
        "--batch", "100"));
    assertThat(second).isZero();
    assertThat(output.toString()).contains("500 already imported by an earlier run, 1,500 sent now");
    List<MixpanelRecord> events = ownEvents();
    assertThat(events).hasSize(2000);
    assertThat(events.stream().map(MixpanelRecord::insertId).collect(Collectors.toSet())).hasSize(2000);
    assertThat(mock.counts().duplicates()).isZero();

    int third = command().run(List.of(file.toString(), "--config", config.toString()));
    assertThat(third).isZero();
    assertThat(output.toString()).contains("2,000 already imported by an earlier run, 0 sent now");
    assertThat(mock.counts().events()).isEqualTo(mock.counts().uniqueEvents());
  }

  @Test
  void aRerunAfterACrashThatLostTheLastProgressSendsThoseMessagesAgainAndMixpanelKeepsEachOnce()
      throws Exception {
    Path file = dir.resolve("crash.ndjson");
    Files.writeString(file, String.join("\n", tracks("k", 1000)) + "\n");
    assertThat(command().run(List.of(file.toString(), "--config", config.toString(),
        "--batch", "100", "--parallel", "4"))).isZero();
    // as if the process died after its last 400 messages were in the log but before it said so
    ImportProgress.load(dir.resolve("data")).record(ImportProgress.key(file), 600);

    int code = command().run(List.of(file.toString(), "--config", config.toString()));

    assertThat(code).isZero();
    assertThat(output.toString()).contains("600 already imported by an earlier run, 400 sent now")
        .contains("accepted 400, rejected 0");
    List<MixpanelRecord> events = ownEvents();
    assertThat(events).hasSize(1000);
    assertThat(events.stream().map(MixpanelRecord::insertId).distinct()).hasSize(1000);
  }

  @Test
  void aFileImportedTwiceWithATouchInBetweenOrCopiedElsewhereSendsNothingTheSecondTime()
      throws Exception {
    Path file = dir.resolve("orders.ndjson");
    Files.writeString(file, String.join("\n", tracks("t", 700)) + "\n");
    assertThat(command().run(List.of(file.toString(), "--config", config.toString()))).isZero();
    assertThat(ownEvents()).hasSize(700);
    long requests = mock.counts().requests();
    long engage = mock.counts().engageOps();

    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
        System.currentTimeMillis() + 60_000)); // touched, as a new download would be
    assertThat(command().run(List.of(file.toString(), "--config", config.toString()))).isZero();
    Path copy = Files.createDirectories(dir.resolve("again")).resolve("orders (1).ndjson");
    Files.copy(file, copy);
    assertThat(command().run(List.of(copy.toString(), "--config", config.toString()))).isZero();

    assertThat(output.toString()).contains("700 already imported by an earlier run, 0 sent now");
    assertThat(mock.counts().requests()).isEqualTo(requests);
    assertThat(mock.counts().engageOps()).isEqualTo(engage);
    assertThat(ownEvents()).hasSize(700);
  }

  @Test
  void anUnknownWriteKeyIsRefusedBeforeTheRelayStarts() throws Exception {
    Path file = dir.resolve("k.ndjson");
    Files.writeString(file, String.join("\n", tracks("w", 3)) + "\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream before = System.err;
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = command().run(List.of(file.toString(), "--config", config.toString(),
          "--write-key", "not-a-key"));
    } finally {
      System.setErr(before);
    }

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--write-key")
        .contains("not configured");
    assertThat(dir.resolve("data")).doesNotExist();
    assertThat(mock.counts().events()).isZero();
  }

  private ImportCommand command() {
    return new ImportCommand(new PrintStream(output, true, StandardCharsets.UTF_8));
  }

  private List<MixpanelRecord> ownEvents() {
    return mock.events().stream().filter(e -> !SESSION_EVENTS.contains(e.eventName())).toList();
  }

  private static List<String> tracks(String prefix, int n) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add("{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"" + prefix + "-user-"
          + (i % 40) + "\",\"messageId\":\"" + prefix + "-" + i + "\",\"timestamp\":\"" + time(i)
          + "\",\"properties\":{\"n\":" + i + "}}");
    }
    return lines;
  }

  private static String time(int i) {
    return Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS)
        .plusSeconds(20L * i).toString();
  }
}
