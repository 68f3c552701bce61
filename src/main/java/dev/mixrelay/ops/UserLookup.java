package dev.mixrelay.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.identity.IdentityLinks;
import dev.mixrelay.identity.IdentityLinks.Link;
import dev.mixrelay.identity.IdentityLinks.Relation;
import dev.mixrelay.identity.SuperPropertyStore;
import dev.mixrelay.session.OpenSession;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * What the relay holds for one id, per destination, for {@code GET /admin/users/{id}}: the identity
 * links it has seen, the super properties it remembers (under the id, its device key and those of
 * its linked ids) and the open sessions kept under any of them. Null when it holds nothing.
 */
public final class UserLookup {
  private static final String DEVICE = "$device:";

  private final Collection<String> destinations;
  private final SuperPropertyStore profiles;
  private final IdentityLinks links;
  private final BiFunction<String, Set<String>, Future<List<OpenSession>>> sessions;

  /**
   * @param sessions the open sessions of a destination under the given user keys; it hops to the
   *     pipeline's context itself
   */
  public UserLookup(Collection<String> destinations, SuperPropertyStore profiles, IdentityLinks links,
      BiFunction<String, Set<String>, Future<List<OpenSession>>> sessions) {
    this.destinations = List.copyOf(destinations);
    this.profiles = profiles;
    this.links = links;
    this.sessions = sessions;
  }

  /** Completes with the user's JSON, or null when no destination holds anything for {@code id}. */
  public Future<JsonObject> lookup(String id) {
    List<String> names = new ArrayList<>(destinations);
    List<Future<JsonObject>> each = new ArrayList<>();
    for (String d : names) {
      each.add(lookup(d, id));
    }
    return Future.all(each).map(all -> {
      JsonObject byDestination = new JsonObject();
      for (int i = 0; i < names.size(); i++) {
        JsonObject held = each.get(i).result();
        if (held != null) {
          byDestination.put(names.get(i), held);
        }
      }
      return byDestination.isEmpty() ? null
          : new JsonObject().put("id", id).put("destinations", byDestination);
    });
  }

  private Future<JsonObject> lookup(String destination, String id) {
    List<Link> linked = links.linksOf(destination, id);
    // the keys the translator and the sessionizer may hold this person under
    Set<String> keys = new LinkedHashSet<>();
    keys.add(id);
    keys.add(DEVICE + id);
    for (Link l : linked) {
      keys.add(l.relation() == Relation.ANONYMOUS_ID ? DEVICE + l.id() : l.id());
    }
    JsonObject superProperties = new JsonObject();
    for (String key : keys) {
      ObjectNode p = profiles.get(destination, key);
      if (p != null) {
        superProperties.put(key, new JsonObject(p.toString()));
      }
    }
    JsonArray linkJson = new JsonArray();
    for (Link l : linked) {
      linkJson.add(new JsonObject().put("id", l.id()).put("relation", relation(l.relation()))
          .put("firstSeen", Instant.ofEpochMilli(l.firstSeenMillis()).toString()));
    }
    return sessions.apply(destination, keys).map(open -> {
      if (linked.isEmpty() && superProperties.isEmpty() && open.isEmpty()) {
        return null;
      }
      JsonArray sessionJson = new JsonArray();
      open.forEach(s -> sessionJson.add(session(s)));
      return new JsonObject().put("links", linkJson).put("superProperties", superProperties)
          .put("openSessions", sessionJson);
    });
  }

  private static String relation(Relation r) {
    switch (r) {
      case ANONYMOUS_ID: return "anonymousId";
      case USER_ID: return "userId";
      case PREVIOUS_ID: return "aliasPreviousId";
      default: return "aliasedTo";
    }
  }

  private static JsonObject session(OpenSession s) {
    return new JsonObject().put("key", s.key()).put("user", s.user()).put("deviceId", s.deviceId())
        .put("start", Instant.ofEpochMilli(s.startMillis()).toString())
        .put("lastEvent", Instant.ofEpochMilli(s.lastEventMillis()).toString())
        .put("eventCount", s.eventCount()).put("startEventName", s.startEventName())
        .put("lastEventName", s.lastEventName()).put("sessionIdValue", s.sessionIdValue())
        .put("sessionStartInsertId", s.startInsertId());
  }
}
