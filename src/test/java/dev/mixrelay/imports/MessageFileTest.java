package dev.mixrelay.imports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading archive files: NDJSON or a JSON array, gzipped or not; progress keyed by file state. */
class MessageFileTest {
  @TempDir
  Path dir;

  @Test
  void readsNdjsonSkippingBlankLinesAndFlaggingLinesThatAreNotObjects() throws IOException {
    Path f = dir.resolve("a.ndjson");
    Files.writeString(f, "{\"type\":\"track\"}\n\n  \n[1,2]\r\n{\"type\":\"page\"}");
    assertThat(read(f)).containsExactly("{\"type\":\"track\"}", "error: message: must be a JSON object on one line",
        "{\"type\":\"page\"}");
    assertThat(MessageFile.count(f)).isEqualTo(3);
  }

  @Test
  void readsLinesAsBytesAcrossBufferBoundariesWithAByteOrderMarkAndAnyLineEnd() throws IOException {
    Path f = dir.resolve("long.ndjson");
    String big = "{\"p\":\"" + "é".repeat(70_000) + "\"}";
    Files.write(f, ("\uFEFF{\"n\":1}\r\n\u3000\r" + big + "\u2003\n\t{\"n\":2} \r\r{\"n\":3}")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(read(f)).containsExactly("{\"n\":1}", big, "{\"n\":2}", "{\"n\":3}");
    assertThat(MessageFile.count(f)).isEqualTo(4);
  }

  @Test
  void readsAGzippedJsonArrayWhateverTheFileIsCalled() throws IOException {
    Path f = dir.resolve("export.bin");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write(" [ {\"type\":\"identify\", \"traits\":{\"a\":[1]}}, 7, {\"type\":\"group\"} ]"
          .getBytes(StandardCharsets.UTF_8));
    }
    assertThat(read(f)).containsExactly("{\"type\":\"identify\",\"traits\":{\"a\":[1]}}",
        "error: message: must be a JSON object", "{\"type\":\"group\"}");
    assertThat(MessageFile.count(f)).isEqualTo(3);
  }

  @Test
  void skippingMovesPastMessagesWithoutReadingThem() throws IOException {
    Path f = dir.resolve("b.ndjson");
    Files.writeString(f, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
    try (MessageFile file = MessageFile.open(f)) {
      assertThat(file.skip()).isTrue();
      assertThat(file.skip()).isTrue();
      assertThat(new String(file.next().json(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":3}");
      assertThat(file.skip()).isFalse();
      assertThat(file.next()).isNull();
    }
  }

  @Test
  void progressIsRememberedPerFileAndForgottenWhenTheFileChanges() throws IOException {
    Path f = dir.resolve("c.ndjson");
    Files.writeString(f, "{\"n\":1}\n");
    String key = ImportProgress.key(f);
    ImportProgress.load(dir).record(key, 1);
    assertThat(ImportProgress.load(dir).done(key)).isEqualTo(1);
    Files.writeString(f, "{\"n\":1}\n{\"n\":2}\n");
    assertThat(ImportProgress.load(dir).done(ImportProgress.key(f))).isZero();
  }

  @Test
  void theProgressLineShowsDoneTotalRateAndTimeLeft() {
    ProgressLine line = new ProgressLine(System.out, true, 1000, 0);
    String text = line.text(250, System.nanoTime() + 1_000_000_000L);
    assertThat(text).contains("250/1,000 messages").contains("msg/s").contains("ETA 0:00:0");
  }

  private static List<String> read(Path f) throws IOException {
    List<String> out = new ArrayList<>();
    try (MessageFile file = MessageFile.open(f)) {
      MessageFile.Item item;
      while ((item = file.next()) != null) {
        out.add(item.error() != null ? "error: " + item.error()
            : new String(item.json(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
