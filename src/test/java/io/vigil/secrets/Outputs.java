package io.vigil.secrets;

import static io.vigil.testsupport.MonitorFixture.await;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vigil.bus.Addresses;
import io.vigil.log.LineFormatter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything a running monitor lets out, gathered for a test to search: every JUL record (any
 * level, any logger, formatted as the program writes it, with its parameters and full stack
 * trace), every event on the bus and the snapshot it replies with, Server-Sent Events, and every
 * HTTP answer in every format and details tier. Each entry is labelled with where it came from.
 */
final class Outputs implements AutoCloseable {
  /** One output and where it came from. */
  record Output(String where, String text) {}

  private final List<Output> outputs = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger("");
  private final Level rootLevel = root.getLevel();
  private final Handler logs = new Handler() {
    private final LineFormatter formatter = new LineFormatter();

    @Override
    public void publish(LogRecord r) {
      StringBuilder b = new StringBuilder(formatter.format(r));
      if (r.getParameters() != null) {
        for (Object p : r.getParameters()) {
          b.append(" param=").append(p);
        }
      }
      if (r.getThrown() != null) {
        StringWriter w = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(w));
        b.append(w);
      }
      outputs.add(new Output("log " + r.getLevel() + " " + r.getLoggerName(), b.toString()));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Starts capturing logs at every level; call before the monitor starts, so its start is seen too. */
  Outputs() {
    logs.setLevel(Level.ALL);
    root.addHandler(logs);
    root.setLevel(Level.ALL);
    // Netty's DEBUG chatter is not ours and costs time; its WARN and above are still captured.
    Logger.getLogger("io.netty").setLevel(Level.INFO);
  }

  /** Follows every address the monitor publishes on. */
  void followBus(EventBus bus) {
    for (String address : List.of(Addresses.RESULT, Addresses.CHANGED, Addresses.LIFECYCLE)) {
      MessageConsumer<Object> c = bus.consumer(address, m -> outputs.add(new Output("bus " + address, String.valueOf(m.body()))));
      await(c.completion());
      consumers.add(c);
    }
  }

  /** The reply to a {@code vigil.status} request. */
  void askStatus(EventBus bus) {
    outputs.add(new Output("bus " + Addresses.STATUS + " reply",
        String.valueOf(await(bus.<JsonObject>request(Addresses.STATUS, null)).body())));
  }

  /** GET {@code path} with {@code headers}; the answer is recorded and returned. */
  String get(int port, String path, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15));
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String text = r.statusCode() + " " + r.headers().map() + "\n" + r.body();
      outputs.add(new Output("GET " + path + " " + headers.keySet(), text));
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Reads {@code /events} for {@code time}, then hangs up; the stream read so far is recorded and returned. */
  String events(int port, Map<String, String> headers, Duration time) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"));
    headers.forEach(b::header);
    StringBuilder stream = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (InputStream in = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()).body();
           BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (stream) {
            stream.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        // hung up by the test
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "sse-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      reader.join(time.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reader.interrupt();
    String text;
    synchronized (stream) {
      text = stream.toString();
    }
    outputs.add(new Output("SSE /events " + headers.keySet(), text));
    return text;
  }

  void add(String where, String text) {
    outputs.add(new Output(where, text));
  }

  List<Output> all() {
    return List.copyOf(outputs);
  }

  /** Every output that holds any of {@code secrets}, with the secret it holds, for the failure message. */
  List<String> leaks(List<String> secrets) {
    List<String> found = new ArrayList<>();
    for (Output o : outputs) {
      for (String s : secrets) {
        int at = o.text().indexOf(s);
        if (at >= 0) {
          int from = Math.max(0, at - 80);
          found.add(o.where() + " holds \"" + s + "\": ..." + o.text().substring(from, Math.min(o.text().length(), at + s.length() + 40))
              .replace('\n', ' ') + "...");
        }
      }
    }
    return found;
  }

  @Override
  public void close() {
    root.removeHandler(logs);
    root.setLevel(rootLevel);
    Logger.getLogger("io.netty").setLevel(null); // bus consumers end with the monitor's Vert.x
  }
}
