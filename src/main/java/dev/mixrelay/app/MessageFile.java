package dev.mixrelay.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads a file of Segment messages as Segment's S3/warehouse archives hold them: one JSON message
 * per line (NDJSON) or one JSON array of messages, either optionally gzip-compressed (recognised by
 * its magic bytes). Lines are passed on as they are (intake parses them); an array's elements are
 * re-serialised. Not thread-safe.
 */
final class MessageFile implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One message: its JSON bytes, or why it is not a message. */
  record Item(byte[] json, String error) {}

  private final BufferedReader lines;
  private final JsonParser array;

  private MessageFile(BufferedReader lines, JsonParser array) {
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
    return new MessageFile(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8),
        1 << 16), null);
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
      JsonNode node = array.readValueAsTree();
      return node != null && node.isObject() ? new Item(JSON.writeValueAsBytes(node), null)
          : new Item(null, "message: must be a JSON object");
    }
    String line;
    do {
      line = lines.readLine();
      if (line == null) {
        return null;
      }
      line = line.strip();
    } while (line.isEmpty());
    if (line.charAt(0) != '{' || line.charAt(line.length() - 1) != '}') {
      return new Item(null, "message: must be a JSON object on one line");
    }
    return new Item(line.getBytes(StandardCharsets.UTF_8), null);
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
    String line;
    do {
      line = lines.readLine();
      if (line == null) {
        return false;
      }
    } while (line.isBlank());
    return true;
  }

  /** True when the bytes are one well-formed JSON value (checked when intake refused a batch). */
  static boolean wellFormed(byte[] json) {
    try (JsonParser p = JSON.getFactory().createParser(json)) {
      while (p.nextToken() != null) {
        // reading every token is the check
      }
      return true;
    } catch (IOException e) {
      return false;
    }
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
