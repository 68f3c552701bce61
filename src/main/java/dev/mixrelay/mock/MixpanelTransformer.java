package dev.mixrelay.mock;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The WireMock extension behind the mock's single catch-all stub: routes each request to the admin
 * routes or the ingestion handler, applies the faults in force and counts the answers.
 */
final class MixpanelTransformer implements ResponseDefinitionTransformerV2 {

  static final String NAME = "mixrelay-mock-mixpanel";
  private static final Set<String> INGEST = Set.of("/import", "/track", "/engage", "/groups");

  private final IngestHandler ingest;
  private final MockAdminRoutes admin;
  private final FaultPlan faults;
  private final RecordStore store;

  MixpanelTransformer(
      IngestHandler ingest, MockAdminRoutes admin, FaultPlan faults, RecordStore store) {
    this.ingest = ingest;
    this.admin = admin;
    this.faults = faults;
    this.store = store;
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public boolean applyGlobally() {
    return false;
  }

  @Override
  public ResponseDefinition transform(ServeEvent serveEvent) {
    MockRequest r = request(serveEvent.getRequest());
    if (r.path().startsWith(MockAdminRoutes.PREFIX)) {
      return definition(admin.handle(r), 0);
    }
    if (!INGEST.contains(r.path())) {
      return definition(MockResponse.error(404, "no such endpoint: " + r.path()), 0);
    }
    int latency = faults.latencyMs();
    FaultPlan.Decision d = faults.next();
    if (d instanceof FaultPlan.Fail f) {
      store.answered(Integer.toString(f.status()));
      MockResponse res =
          MockResponse.error(
              f.status(),
              f.status() == 429
                  ? "Project exceeded rate limits. Please retry the request with exponential"
                        + " backoff."
                  : MockResponse.reason(f.status()) + " (injected by the mock)");
      if (f.retryAfterSeconds() != null) {
        res = res.withHeader("Retry-After", Integer.toString(f.retryAfterSeconds()));
      }
      return definition(res, latency);
    }
    if (d instanceof FaultPlan.Reset reset) {
      if (reset.afterAccept()) {
        ingest.handle(r);
      }
      store.answered("reset");
      return new ResponseDefinitionBuilder().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
    }
    MockResponse res = ingest.handle(r);
    store.answered(Integer.toString(res.status()));
    return definition(res, latency);
  }

  private static ResponseDefinition definition(MockResponse res, int latencyMs) {
    ResponseDefinitionBuilder b =
        new ResponseDefinitionBuilder()
            .withStatus(res.status())
            .withHeader("Content-Type", res.contentType())
            .withBody(res.body());
    res.headers().forEach(b::withHeader);
    if (latencyMs > 0) {
      b.withFixedDelay(latencyMs);
    }
    return b.build();
  }

  private static MockRequest request(LoggedRequest req) {
    String url = req.getUrl();
    int q = url.indexOf('?');
    String path = q < 0 ? url : url.substring(0, q);
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    Map<String, String> query = new HashMap<>();
    if (q >= 0) {
      for (String pair : url.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        query.putIfAbsent(k, v);
      }
    }
    Map<String, String> headers = new HashMap<>();
    for (HttpHeader h : req.getHeaders().all()) {
      headers.put(h.key().toLowerCase(Locale.ROOT), h.firstValue());
    }
    return new MockRequest(
        req.getMethod().getName(), path, Map.copyOf(query), Map.copyOf(headers), req.getBody());
  }
}
