package dev.mixrelay.cluster;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A state store with no state whose {@code flush} runs its task's commit barrier. Kafka Streams
 * flushes every store of a task before it flushes the task's output and commits its input
 * offsets, so the barrier — wait until everything made from the processed input is delivered or
 * dead-lettered, then write the session snapshot — holds before any offset is committed. It is
 * added to the topology before the session store, so its flush runs first.
 */
final class DeliveryFence implements StateStore {
  static final String NAME = "mixrelay-delivery-fence";

  /** What a commit waits for; set by the task's processor in its {@code init}. */
  interface Barrier {
    void beforeCommit();
  }

  private volatile Barrier barrier;
  private boolean open;

  void barrier(Barrier b) {
    this.barrier = b;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    context.register(root, (key, value) -> { });
    open = true;
  }

  @Override
  public void flush() {
    Barrier b = barrier;
    if (b != null) {
      b.beforeCommit();
    }
  }

  @Override
  public void close() {
    open = false;
    barrier = null;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /** Builds one fence per task; it keeps no data, so it has no changelog and no cache. */
  static StoreBuilder<DeliveryFence> builder() {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<DeliveryFence> withCachingEnabled() {
        return this;
      }

      @Override
      public StoreBuilder<DeliveryFence> withCachingDisabled() {
        return this;
      }

      @Override
      public StoreBuilder<DeliveryFence> withLoggingEnabled(Map<String, String> config) {
        return this;
      }

      @Override
      public StoreBuilder<DeliveryFence> withLoggingDisabled() {
        return this;
      }

      @Override
      public DeliveryFence build() {
        return new DeliveryFence();
      }

      @Override
      public Map<String, String> logConfig() {
        return Map.of();
      }

      @Override
      public boolean loggingEnabled() {
        return false;
      }

      @Override
      public String name() {
        return NAME;
      }
    };
  }
}
