package io.vigil.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes an HTTP/1.1 connection that has more than {@value #MAX_AHEAD} requests pipelined ahead of
 * their answers, or as many in the bytes of one read. Vert.x pauses reading from a connection while
 * a response is in progress, but every request already in the bytes it read is decoded and queued: one 18 KB write of 256
 * pipelined {@code GET /metrics} costs 256 decoded requests, about 150 KB of heap, and 1,000 such
 * clients filled a 256 MB heap until full collections stopped every event loop (seen in
 * HostileClientsIT). Requests answered at once never pile up, but 1,000 clients writing 256
 * pipelined {@code GET /health/live} each and never reading made 256,000 answers to write, seconds
 * of both cores, and fresh probes timed out behind them; so the depth of one read counts too. No
 * browser, Prometheus, kubelet or load balancer pipelines this deep; a client that does is answered
 * up to the limit, then cut off.
 *
 * <p>A Netty handler between the HTTP codec and Vert.x's own handler: it counts the requests
 * decoded and the responses that end ({@link LastHttpContent} written), holds what one read decoded
 * until the read is complete, and drops a read that goes past the limit whole. Vert.x has no public hook for this, so it is installed through {@link ConnectionBase},
 * an internal class; {@link #install} says whether that worked, and a test pipelines past the limit
 * so that a Vert.x upgrade that moves the hook fails the build instead of the heap.
 */
final class PipelineLimit extends ChannelDuplexHandler {
  /** Requests a connection may have decoded and not yet answered, and requests one read may carry. */
  static final int MAX_AHEAD = 16;
  private static final String NAME = "vigil-pipeline-limit";
  /** Vert.x's name for its handler at the end of the HTTP/1.x pipeline. */
  private static final String VERTX_HANDLER = "handler";
  /** Vert.x's name for the HTTP/1.x request decoder. */
  private static final String DECODER = "httpDecoder";

  private final AtomicLong closed;
  /** Requests decoded minus responses ended; touched on the connection's event loop only. */
  private int ahead;
  /** Requests decoded from the bytes of the current read. */
  private int inThisRead;
  private boolean cut;
  /** The messages decoded from the current read, handed on when it is complete. */
  private final List<Object> held = new ArrayList<>();

  private PipelineLimit(AtomicLong closed) {
    this.closed = closed;
  }

  /** Puts a limit on {@code connection}; false when it is not an HTTP/1.x connection of the known shape. */
  static boolean install(HttpConnection connection, AtomicLong closed) {
    if (!(connection instanceof ConnectionBase base) || base.channel().pipeline().get(VERTX_HANDLER) == null) {
      return false;
    }
    base.channel().pipeline().addBefore(VERTX_HANDLER, NAME, new PipelineLimit(closed));
    return true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (cut) {
      ReferenceCountUtil.release(msg);
      return;
    }
    held.add(msg);
    if (msg instanceof HttpRequest) {
      ahead++;
      inThisRead++;
      if (ahead > MAX_AHEAD || inThisRead > MAX_AHEAD) {
        cut = true;
        releaseHeld();
        closed.incrementAndGet();
        // The decoder would go on decoding every request left in what it read (256 per 18 KB) for
        // nothing; removed, it hands the rest over undecoded, and it is dropped above.
        if (ctx.pipeline().get(DECODER) != null) {
          ctx.pipeline().remove(DECODER);
        }
        ctx.close();
      }
    }
  }

  /**
   * Hands the read's messages on once the whole read is decoded, so that a read past the limit is
   * dropped whole: passed on one by one, the first 16 requests of each of 1,000 such clients were
   * routed and queued (16,000 requests) before the cut, in the burst of their connections.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    inThisRead = 0;
    if (!cut) {
      for (Object msg : held) {
        ctx.fireChannelRead(msg);
      }
    }
    held.clear();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseHeld(); // what a last decode produced after the final read
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  private void releaseHeld() {
    for (Object msg : held) {
      ReferenceCountUtil.release(msg);
    }
    held.clear();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent && ahead > 0) {
      ahead--;
    }
    ctx.write(msg, promise);
  }
}
