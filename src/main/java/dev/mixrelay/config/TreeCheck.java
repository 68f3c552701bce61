package dev.mixrelay.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Checks a config tree against the config records before it is bound, so that every problem is
 * found at once: unknown keys (with the nearest known one), values of the wrong type (named with
 * the value as written, what is allowed, and the environment variable that set it), and
 * documented placeholders. Each bad entry is removed from the tree, so binding the rest succeeds
 * and the records' own rules still run.
 */
final class TreeCheck {
  /** The placeholder the example configs hold where a secret must come from the environment. */
  static final String PLACEHOLDER = "set-from-environment";
  /** Keys whose values are secrets: never repeated in a message. */
  static final Set<String> SECRET_KEYS = Set.of("writekey", "webhooksecret", "apisecret", "secret",
      "token");

  private final ObjectMapper mapper;
  private final Map<String, String> envByPath;
  private final List<String> problems = new ArrayList<>();

  TreeCheck(ObjectMapper mapper, Map<String, String> envByPath) {
    this.mapper = mapper;
    this.envByPath = envByPath;
  }

  /** Checks (and cleans) the whole tree; returns every problem, one line each. */
  List<String> check(ObjectNode root) {
    record(root, RelayConfig.class, "");
    return problems;
  }

  private void record(ObjectNode obj, Class<?> type, String path) {
    Map<String, RecordComponent> components = Arrays.stream(type.getRecordComponents())
        .filter(c -> !c.getName().equals("name") || type != DestinationConfig.class)
        .collect(Collectors.toMap(RecordComponent::getName, c -> c));
    List<String> remove = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> fields = obj.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = f.getKey();
      String p = path.isEmpty() ? key : path + "." + key;
      RecordComponent c = components.get(key);
      if (c == null) {
        problems.add(p + " is not a known key" + suggestion(key, components.keySet()) + from(p));
        remove.add(key);
      } else if (!value(f.getValue(), c.getGenericType(), p)) {
        remove.add(key);
      }
    }
    remove.forEach(obj::remove);
  }

  /** Checks one value against its declared type; false when it is wrong (and was reported). */
  private boolean value(JsonNode node, Type type, String path) {
    if (node == null || node.isNull()) {
      return true;
    }
    Class<?> raw = raw(type);
    if (raw.isRecord()) {
      if (!(node instanceof ObjectNode o)) {
        return wrong(path, node, "a mapping of keys (" + keys(raw) + ")");
      }
      record(o, raw, path);
      return true;
    }
    if (List.class.isAssignableFrom(raw)) {
      if (!(node instanceof ArrayNode arr)) {
        return wrong(path, node, "a list, such as [a, b]");
      }
      Type element = argument(type, 0);
      for (int i = arr.size() - 1; i >= 0; i--) {
        if (!value(arr.get(i), element, path + "[" + i + "]")) {
          arr.remove(i);
        }
      }
      return true;
    }
    if (Map.class.isAssignableFrom(raw)) {
      if (!(node instanceof ObjectNode o)) {
        return wrong(path, node, "a mapping of names to settings");
      }
      Type element = argument(type, 1);
      List<String> remove = new ArrayList<>();
      o.fields().forEachRemaining(e -> {
        if (!value(e.getValue(), element, path + "." + e.getKey())) {
          remove.add(e.getKey());
        }
      });
      remove.forEach(o::remove);
      return true;
    }
    if (node.isContainerNode()) {
      return wrong(path, node, allowed(raw));
    }
    if (raw == String.class && PLACEHOLDER.equals(node.asText())) {
      problems.add(path + " still holds the example's placeholder '" + PLACEHOLDER + "': set "
          + envName(path) + " (or write the value in the file)");
      return false;
    }
    try {
      mapper.treeToValue(node, raw);
      return true;
    } catch (Exception e) {
      return wrong(path, node, allowed(raw));
    }
  }

  private boolean wrong(String path, JsonNode node, String allowed) {
    String last = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    String written = SECRET_KEYS.contains(last) ? "(a secret, not shown)"
        : node.isContainerNode() ? (node.isArray() ? "a list" : "a mapping")
        : "'" + (envByPath.containsKey(path) ? envByPath.get(path).split("=", 2)[1]
            : node.asText()) + "'";
    problems.add(path + from(path) + " must be " + allowed + ", was " + written);
    return false;
  }

  /** " (set by MIXRELAY_X)" when the environment set this key. */
  private String from(String path) {
    String env = envByPath.get(path);
    return env == null ? "" : " (set by environment variable " + env.split("=", 2)[0] + ")";
  }

  static String envName(String path) {
    return ConfigLoader.ENV_PREFIX + path.replace("[", ".").replace("]", "").replace('.', '_')
        .toUpperCase(Locale.ROOT);
  }

  private static String allowed(Class<?> raw) {
    if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
      return "a whole number";
    } else if (raw == Double.class || raw == double.class) {
      return "a number";
    } else if (raw == Boolean.class || raw == boolean.class) {
      return "true or false";
    } else if (raw == Duration.class) {
      return "a duration such as 200ms, 60s, 30m or 24h";
    } else if (raw.isEnum()) {
      return "one of " + Arrays.stream(raw.getEnumConstants()).map(Object::toString)
          .collect(Collectors.joining(", "));
    } else if (raw == UUID.class) {
      return "a UUID such as 6f1c1f3e-6b1a-5d3c-9a57-3c1b8e2f4d60";
    }
    return "text";
  }

  private static String keys(Class<?> record) {
    return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName)
        .filter(n -> !n.equals("name") || record != DestinationConfig.class)
        .collect(Collectors.joining(", "));
  }

  private static String suggestion(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
      return " (did you mean " + best + "?)";
    }
    return " (known here: " + known.stream().sorted().collect(Collectors.joining(", ")) + ")";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static Type argument(Type t, int i) {
    return t instanceof ParameterizedType p ? p.getActualTypeArguments()[i] : Object.class;
  }
}
