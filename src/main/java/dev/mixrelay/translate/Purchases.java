package dev.mixrelay.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mixrelay.mixpanel.MixpanelRecord;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code generatePurchaseEventPerProduct} (Segment's Actions destination): an "Order Completed"
 * track also makes one "Product Purchased" event per entry of {@code properties.products}, with
 * the order's properties less the order-level ones, then the product's fields; each has its own
 * {@code $insert_id} (of messageId and the product's index) and is dated {@code index + 1}
 * milliseconds before the order, as Actions dates them.
 */
final class Purchases {
  static final String PRODUCT_PURCHASED = "Product Purchased";
  private static final Set<String> ORDER_ONLY = Set.of("affiliation", "subtotal", "total",
      "revenue", "shipping", "tax", "discount", "coupon", "currency", "order_number", "products");
  private static final List<String> PRODUCT_FIELDS = List.of("product_id", "sku", "category",
      "name", "brand", "variant", "price", "quantity", "coupon", "position", "url", "image_url");

  private Purchases() {}

  static void perProduct(Call call, ObjectNode order, List<MixpanelRecord> records) {
    ObjectNode given = call.message.object("properties");
    JsonNode products = given == null ? null : given.get("products");
    if (products == null || !products.isArray()) {
      return;
    }
    int index = 0;
    for (JsonNode product : products) {
      if (!(product instanceof ObjectNode p)) {
        index++;
        continue;
      }
      ObjectNode properties = Call.newProperties();
      Iterator<Map.Entry<String, JsonNode>> it = order.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!ORDER_ONLY.contains(e.getKey())) {
          properties.set(e.getKey(), e.getValue());
        }
      }
      if (properties.has("event_original_name")) {
        properties.put("event_original_name", PRODUCT_PURCHASED);
      }
      for (String field : PRODUCT_FIELDS) {
        JsonNode v = p.get(field);
        if (v != null && !v.isNull()) {
          properties.set(field, v);
        } else {
          properties.remove(field);
        }
      }
      MixpanelRecord record = call.event(PRODUCT_PURCHASED, properties);
      record.properties().put("time", call.message.timestampMillis() - (index + 1));
      record.properties().put("$insert_id", InsertIds.of(call.settings.insertIdNamespace(),
          call.message.messageId() + ":" + index, call.projectKey(), PRODUCT_PURCHASED));
      records.add(record);
      index++;
    }
  }
}
