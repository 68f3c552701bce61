package dev.mixrelay.translate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import ua_parser.Client;
import ua_parser.Parser;

/**
 * Parses {@code context.userAgent} with uap-java behind a bounded Caffeine cache: parsing costs
 * tens of microseconds, while real traffic repeats a few thousand user agents, so the cache keeps
 * translation near a microsecond per message. Pure from the caller's view (same input, same
 * answer); the cache is shared by all translators.
 */
final class UserAgents {
  /** Distinct user agents kept; a few MB at most. */
  static final int CACHE_SIZE = 20_000;
  /** Longer strings are not user agents worth parsing (and would bloat the cache). */
  static final int MAX_LENGTH = 1_024;

  /** What Mixpanel's event properties take from a user agent; null parts are unknown. */
  record Parsed(String browser, String browserVersion, String os) {
    static final Parsed UNKNOWN = new Parsed(null, null, null);
  }

  private static final Parser PARSER = new Parser();
  private static final Cache<String, Parsed> CACHE =
      Caffeine.newBuilder().maximumSize(CACHE_SIZE).build();

  private UserAgents() {}

  static Parsed parse(String userAgent) {
    if (userAgent == null || userAgent.isBlank() || userAgent.length() > MAX_LENGTH) {
      return Parsed.UNKNOWN;
    }
    return CACHE.get(userAgent, UserAgents::parseUncached);
  }

  private static Parsed parseUncached(String userAgent) {
    Client client = PARSER.parse(userAgent);
    String browser = null;
    String version = null;
    if (client.userAgent != null && known(client.userAgent.family)) {
      browser = client.userAgent.family;
      version = full(userAgent,
          join(client.userAgent.major, client.userAgent.minor, client.userAgent.patch));
    }
    String os = client.os != null && known(client.os.family) ? client.os.family : null;
    return new Parsed(browser, version, os);
  }

  private static boolean known(String family) {
    return family != null && !family.isEmpty() && !"Other".equals(family);
  }

  /**
   * The whole version as the user agent writes it ("79.0.3945.117", as ua-parser-js reads it):
   * the parsed parts followed, where the string goes on with them, by its further numeric parts.
   */
  private static String full(String userAgent, String parsed) {
    if (parsed == null) {
      return null;
    }
    int at = userAgent.indexOf(parsed);
    while (at >= 0) {
      boolean starts = at == 0 || !Character.isLetterOrDigit(userAgent.charAt(at - 1))
          && userAgent.charAt(at - 1) != '.';
      int end = at + parsed.length();
      if (starts && (end == userAgent.length() || !Character.isDigit(userAgent.charAt(end)))) {
        while (end + 1 < userAgent.length() && userAgent.charAt(end) == '.'
            && Character.isDigit(userAgent.charAt(end + 1))) {
          end++;
          while (end < userAgent.length() && Character.isDigit(userAgent.charAt(end))) {
            end++;
          }
        }
        return userAgent.substring(at, end);
      }
      at = userAgent.indexOf(parsed, at + 1);
    }
    return parsed;
  }

  /** "120.0.1" from the parts present, stopping at the first missing one; null with no major. */
  private static String join(String major, String minor, String patch) {
    if (major == null || major.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(major);
    if (minor != null && !minor.isEmpty()) {
      sb.append('.').append(minor);
      if (patch != null && !patch.isEmpty()) {
        sb.append('.').append(patch);
      }
    }
    return sb.toString();
  }
}
