package dev.mixrelay.cli;

import dev.mixrelay.imports.Importer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The import's rejected messages as {@code FILE:LINE: reason} lines: the first few on the
 * terminal, every one in the {@code --rejects} file when given.
 */
final class RejectLines implements Importer.Rejects, AutoCloseable {
  private final Path file;
  private final BufferedWriter writer;
  private final PrintStream terminal;
  private final int shown;
  private long count;

  RejectLines(Path file, PrintStream terminal, int shown) throws IOException {
    this.file = file;
    this.writer = file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    this.terminal = terminal;
    this.shown = shown;
  }

  @Override
  public void rejected(Path source, long line, String reason) throws IOException {
    String text = source + ":" + line + ": " + reason;
    if (count++ < shown) {
      terminal.println(text);
    }
    if (writer != null) {
      writer.write(text);
      writer.newLine();
    }
  }

  /** Says how many were not shown and where they all are. */
  void finish() throws IOException {
    if (writer != null) {
      writer.flush();
    }
    if (count > shown) {
      terminal.println("... " + (count - shown) + " more rejected message(s) "
          + (file == null ? "not shown; --rejects FILE writes them all" : "in " + file));
    } else if (count > 0 && file != null) {
      terminal.println(count + " rejected message(s) written to " + file);
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }
}
