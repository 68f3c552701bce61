package dev.mixrelay.imports;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads a file of Segment messages as Segment's S3/warehouse archives hold them: one JSON message
 * per line (NDJSON) or one JSON array of messages, either optionally gzip-compressed (recognised by
 * its magic bytes). Lines are passed on as bytes, as they are (intake parses them); an array's
 * elements are re-serialised. A line ends at {@code \n}, {@code \r} or both; whitespace around it
 * is dropped and blank lines are not messages; a UTF-8 byte order mark at the start is ignored.
 * Not thread-safe.
 */
public final class MessageFile implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One message: its JSON bytes, or why it is not a message; the line it starts on. */
  record Item(byte[] json, String error, long line) {}

  private final NdjsonLines lines;
  private final JsonParser array;

  private MessageFile(NdjsonLines lines, JsonParser array) {
    this.lines = lines;
    this.array = array;
  }

  static MessageFile open(Path path) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    if (b1 == 0x1f && b2 == 0x8b) {
      in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
    }
    in.mark(4096);
    int c;
    do {
      c = in.read();
    } while (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xEF || c == 0xBB || c == 0xBF);
    in.reset();
    if (c == '[') {
      JsonParser parser = JSON.getFactory().createParser(in);
      parser.nextToken();
      return new MessageFile(null, parser);
    }
    return new MessageFile(new NdjsonLines(in), null);
  }

  /** How many messages (lines that are not blank, or array elements) the file holds. */
  static long count(Path path) throws IOException {
    long n = 0;
    try (MessageFile f = open(path)) {
      while (f.skip()) {
        n++;
      }
    }
    return n;
  }

  /** The next message, or null at the end of the file. */
  Item next() throws IOException {
    if (array != null) {
      JsonToken t = array.nextToken();
      if (t == null || t == JsonToken.END_ARRAY) {
        return null;
      }
      long line = array.currentTokenLocation().getLineNr();
      JsonNode node = array.readValueAsTree();
      return node != null && node.isObject() ? new Item(JSON.writeValueAsBytes(node), null, line)
          : new Item(null, "message: must be a JSON object", line);
    }
    byte[] line = lines.next();
    if (line == null) {
      return null;
    }
    if (line[0] != '{' || line[line.length - 1] != '}') {
      return new Item(null, "message: must be a JSON object on one line", lines.line());
    }
    return new Item(line, null, lines.line());
  }

  /** Moves past the next message without reading it; false at the end of the file. */
  boolean skip() throws IOException {
    if (array != null) {
      JsonToken t = array.nextToken();
      if (t == null || t == JsonToken.END_ARRAY) {
        return false;
      }
      array.skipChildren();
      return true;
    }
    return lines.skip();
  }

  @Override
  public void close() throws IOException {
    if (lines != null) {
      lines.close();
    }
    if (array != null) {
      array.close();
    }
  }
}
