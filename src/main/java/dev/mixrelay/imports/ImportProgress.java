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
 * per file (absolute path, size and modification time, so a changed file starts over) the number
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

  /** The key of a file as it is now: path, size and modification time. */
  public static String key(Path path) throws IOException {
    Path abs = path.toAbsolutePath().normalize();
    return abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis();
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
