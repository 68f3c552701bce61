package dev.mixrelay.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How far each imported file got, in {@code import-progress.json} under the storage directory:
 * per file (keyed by its content: size and a hash of its first and last blocks, see {@link
 * #key}) the number
 * of leading messages intake has answered. Saved after every answered batch by writing a new file
 * and renaming it over the old one. Not thread-safe.
 */
public final class ImportProgress {
  public static final String FILE_NAME = "import-progress.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final ObjectNode files;

  private ImportProgress(Path file, ObjectNode files) {
    this.file = file;
    this.files = files;
  }

  public static ImportProgress load(Path storageDir) throws IOException {
    Path file = storageDir.resolve(FILE_NAME);
    ObjectNode files = JSON.createObjectNode();
    if (Files.exists(file)) {
      JsonNode root = JSON.readTree(file.toFile());
      if (root != null && root.get("files") instanceof ObjectNode saved) {
        files = saved;
      }
    }
    return new ImportProgress(file, files);
  }

  /** How much of each end of a file its key hashes. */
  static final int BLOCK = 64 * 1024;

  /**
   * The key of a file by its content: its size and a SHA-256 of its first and last {@value
   * #BLOCK} bytes. The same archive downloaded again, copied elsewhere or merely touched has the
   * same key, so its progress holds; a file that grew or changed at either end starts over (its
   * messages already in the log are then repeats the messageId window drops).
   */
  public static String key(Path path) throws IOException {
    Path abs = path.toAbsolutePath().normalize();
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(abs)) {
      long size = ch.size();
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(BLOCK);
      readFully(ch, buf, 0);
      sha.update(buf.flip());
      if (size > BLOCK) {
        buf.clear();
        readFully(ch, buf, Math.max(BLOCK, size - BLOCK));
        sha.update(buf.flip());
      }
      return "content|" + size + "|" + java.util.HexFormat.of().formatHex(sha.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void readFully(java.nio.channels.FileChannel ch, java.nio.ByteBuffer buf, long at)
      throws IOException {
    long pos = at;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        return;
      }
      pos += n;
    }
  }

  /** Messages of this file intake has already answered (0 for a new or changed file). */
  long done(String key) {
    JsonNode entry = files.get(key);
    return entry == null ? 0 : entry.path("messages").asLong(0);
  }

  /** Records that the first {@code messages} messages of the file are answered, and saves. */
  public void record(String key, long messages) throws IOException {
    files.putObject(key).put("messages", messages);
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(),
        JSON.createObjectNode().put("version", 1).set("files", files));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
