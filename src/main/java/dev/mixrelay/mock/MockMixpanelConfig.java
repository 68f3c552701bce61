package dev.mixrelay.mock;

import java.time.Clock;
import java.util.List;

/**
 * How a {@link MockMixpanel} listens and what it accepts. Immutable; checked when made.
 *
 * @param host the address to bind ({@code 127.0.0.1}; {@code 0.0.0.0} in a container)
 * @param port the port, 0 for any free one
 * @param credentials the Basic credentials {@code /import} accepts; empty = any non-empty user
 * @param projectId when set, service-account credentials (a non-empty password) must come with
 *     {@code project_id} equal to it
 * @param token when set, {@code /track}, {@code /engage} and {@code /groups} records must carry it
 * @param maxRecords records per request (Mixpanel: 2000); more is answered 413
 * @param maxRequestBytes uncompressed bytes per request (Mixpanel: 10 MB); more is answered 413
 * @param maxRecordBytes serialized bytes per record (Mixpanel: 1 MB); more fails that record
 * @param retainBytes how many bytes of accepted records to keep for queries; past it only counts
 *     and de-duplication keys are kept
 * @param clock the clock for Mixpanel's time rules (1 hour ahead, 5 days back on /track)
 * @param faults the faults in force at start
 */
public record MockMixpanelConfig(
    String host,
    int port,
    List<Credential> credentials,
    String projectId,
    String token,
    int maxRecords,
    int maxRequestBytes,
    int maxRecordBytes,
    long retainBytes,
    Clock clock,
    Faults faults) {

  /**
   * One accepted Basic credential: a service account (user, secret) or a secret/token (user, "").
   */
  public record Credential(String user, String password) {
    public Credential {
      if (user == null || user.isEmpty()) {
        throw new IllegalArgumentException("credential user must not be empty");
      }
      password = password == null ? "" : password;
    }

    @Override
    public String toString() {
      return "Credential[user=***, password=***]";
    }
  }

  public MockMixpanelConfig {
    host = host == null || host.isBlank() ? "127.0.0.1" : host;
    credentials = credentials == null ? List.of() : List.copyOf(credentials);
    clock = clock == null ? Clock.systemUTC() : clock;
    faults = faults == null ? Faults.NONE : faults;
    check(port >= 0 && port <= 65535, "port must be between 0 and 65535, was " + port);
    check(maxRecords >= 1, "maxRecords must be at least 1, was " + maxRecords);
    check(maxRequestBytes >= 1024, "maxRequestBytes must be at least 1024, was " + maxRequestBytes);
    check(maxRecordBytes >= 64, "maxRecordBytes must be at least 64, was " + maxRecordBytes);
    check(retainBytes >= 0, "retainBytes must be 0 or more, was " + retainBytes);
  }

  /** The defaults: loopback, any free port, Mixpanel's limits, 256 MB of records kept. */
  public static MockMixpanelConfig defaults() {
    return new MockMixpanelConfig(
        "127.0.0.1",
        0,
        List.of(),
        null,
        null,
        2000,
        10 * 1024 * 1024,
        1024 * 1024,
        256L * 1024 * 1024,
        Clock.systemUTC(),
        Faults.NONE);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  @Override
  public String toString() {
    return "MockMixpanelConfig[host="
        + host
        + ", port="
        + port
        + ", credentials="
        + credentials.size()
        + ", projectId="
        + projectId
        + ", token="
        + (token == null ? "any" : "***")
        + ", maxRecords="
        + maxRecords
        + ", maxRequestBytes="
        + maxRequestBytes
        + ", faults="
        + faults
        + "]";
  }
}
