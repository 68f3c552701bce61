package dev.mixrelay.cli;


import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill throughput: {@code import} of a generated gzipped NDJSON file of a million messages
 * (10,000 users over one day) through an in-process relay and the embedded mock, all on one
 * machine. A report, not a timed test: {@code mvn -B -Pbench verify -Dtest=ImportBenchmark}
 * (size via {@code -Dbench.messages=1000000}; {@code -Dbench.batch=1000 -Dbench.parallel=4}).
 */
@Tag("bench")
class ImportBenchmark {
  @TempDir
  Path dir;

  @Test
  void reportsMessagesPerSecondForAMillionMessageFile() throws Exception {
    int messages = Integer.getInteger("bench.messages", 1_000_000);
    Path file = dir.resolve("archive.ndjson.gz");
    long day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS).toEpochMilli();
    long step = 86_400_000L / messages;
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      for (int i = 0; i < messages; i++) {
        int u = i % 10_000;
        out.write(("{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"user-" + u
            + "\",\"anonymousId\":\"anon-" + u + "\",\"messageId\":\"bench-" + i
            + "\",\"timestamp\":\"" + Instant.ofEpochMilli(day + i * step)
            + "\",\"properties\":{\"product\":\"Sensor Pack\",\"price\":19.99,\"n\":" + i
            + "},\"context\":{\"ip\":\"203.0.113." + (u % 250) + "\",\"library\":{\"name\":"
            + "\"analytics.js\",\"version\":\"2.11.1\"},\"page\":{\"path\":\"/p\"}}}\n")
            .getBytes(StandardCharsets.UTF_8));
      }
    }
    Path config = dir.resolve("relay.yaml");
    Files.writeString(config, """
        server: { host: 127.0.0.1, port: 0 }
        storage: { dir: "%s", fsync: batch }
        sources:
          - { writeKey: bench-key, destination: main }
        destinations:
          main: { token: t, apiSecret: s, apiHost: embedded-mock }
        mock: { host: 127.0.0.1, port: 0 }
        logging: { level: WARN }
        """.formatted(dir.resolve("data").toString().replace("\\", "/")));
    ByteArrayOutputStream output = new ByteArrayOutputStream();

    // the JVM's CPU time beside the wall time: on a shared machine the cores it got tell whether
    // a slow figure is the import's or the neighbours'
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    int code = new ImportCommand(new PrintStream(output, true, StandardCharsets.UTF_8))
        .run(List.of(file.toString(), "--config", config.toString(), "--parallel",
            System.getProperty("bench.parallel", "4"), "--batch",
            System.getProperty("bench.batch", "1000")));
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    double wall = (System.nanoTime() - wall0) / 1e9;

    String report = output.toString(StandardCharsets.UTF_8);
    String[] lines = report.split("\n");
    System.out.println("import benchmark (" + Runtime.getRuntime().availableProcessors()
        + " cores):\n" + String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 4),
        lines.length)) + String.format(java.util.Locale.ROOT,
        "%n  JVM CPU %.1f s in %.1f s wall (%.2f cores)", cpu, wall, cpu / wall));
    assertThat(code).isZero();
    assertThat(report).contains(String.format(java.util.Locale.ROOT, "accepted %,d, rejected 0",
        messages));
  }
}
