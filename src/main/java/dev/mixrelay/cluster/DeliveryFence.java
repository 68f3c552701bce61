package dev.mixrelay.cluster;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store with no state that runs its task's commit barrier: wait until everything made
 * from the processed input is delivered or dead-lettered, then write the session snapshot.
 *
 * <p>The hook: on every commit, before it flushes the task's output and commits its input
 * offsets, Kafka Streams calls {@code flushCache} on each of the task's stores that is a {@link
 * CachedStateStore} (a plain {@code flush} comes only when the task writes a checkpoint, every
 * 10,000 changelog records or so). {@code CachedStateStore} is Kafka Streams' internal interface
 * of caching stores; this relies on it as of the pinned version (4.1.1), and {@code
 * ClusterCrashTest} fails if a commit ever stops waiting. The fence is added to the topology
 * before the session store, so its barrier runs first.
 */
final class DeliveryFence implements StateStore, CachedStateStore<Object, Object> {
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

  /** Runs the barrier: called by Kafka Streams on every commit (see the class comment). */
  @Override
  public void flushCache() {
    Barrier b = barrier;
    if (b != null) {
      b.beforeCommit();
    }
  }

  @Override
  public void flush() {
    flushCache(); // at a checkpoint, after the commit's own barrier: nothing left to wait for
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Object, Object> listener,
      boolean sendOldValues) {
    return false;
  }

  @Override
  public void clearCache() {
    // no cache
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
