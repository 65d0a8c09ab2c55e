package io.vigil.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.config.ConfigException;
import io.vigil.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config problems quote what was written, and what was written may be a secret put in the wrong
 * place, a secret file's content, or a URL carrying credentials: every problem is shown with them
 * masked, exactly.
 */
class ConfigProblemSecretsTest {

  private static List<String> problems(Map<String, String> env, String yaml) {
    return assertThrows(ConfigException.class, () -> new ConfigLoader(env).parse(yaml, "t.yaml")).problems();
  }

  @Test
  void aSecretFromTheEnvironmentInTheWrongPlaceIsMasked() {
    assertEquals(List.of(
        "server.port: \"****\" is not a whole number",
        "server.details: \"****\" is not one of always, authorized, never"), problems(
        Map.of("DB_PASSWORD", "Env-Secret-1234", "VIGIL_TOKEN", "Env-Token-56789"),
        "server: { port: \"${DB_PASSWORD}\", details: \"${VIGIL_TOKEN}\" }\nchecks: {}\n"));
  }

  @Test
  void aSecretFileUsedInTheWrongPlaceIsMasked(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("secret");
    Files.writeString(file, "File-Secret-4321\n");
    assertEquals(List.of("checks.r.interval: \"****\" is not a duration (write 500ms, 5s, 1m)"), problems(
        Map.of("WHATEVER_FILE", file.toString()),
        "checks:\n  r: { type: redis, uri: \"redis://127.0.0.1:6379\", interval: \"${WHATEVER}\" }\n"));
  }

  @Test
  void aPasswordWrittenInTheFileIsMaskedWhereverAProblemQuotesIt() {
    assertEquals(List.of(
        "checks.r.timeout: \"****\" is not a duration (write 500ms, 5s, 1m)",
        "checks.r.uri: \"redis://:****@127.0.0.1:6379/cache\" names a database that is not a number 0-9999 (was \"cache\")"),
        problems(Map.of(), """
            checks:
              r: { type: redis, uri: "redis://:Pw-In-Uri-77@127.0.0.1:6379/cache", password: Pw-Field-88, timeout: Pw-Field-88 }
            """));
  }

  @Test
  void credentialsInAUrlAreMaskedInItsProblem() {
    assertEquals(List.of("checks.api.url: \"http://u:****@127.0.0.1/h?token=****&api_key=**** x\" is not a valid URL"),
        problems(Map.of(), "checks:\n  api: { type: http, url: \"http://u:Url-Pw-11@127.0.0.1/h?token=Tok-22&api_key=Key-33 x\" }\n"));
  }

  @Test
  void secretHeaderValuesAreMaskedWhereverAProblemQuotesThem() {
    assertEquals(List.of("checks.api.method: \"****\" is not one of GET, HEAD, POST",
            "checks.api.expect.body-contains: must be a string (was a mapping)"),
        problems(Map.of(), """
            checks:
              api: { type: http, url: "http://127.0.0.1/h", headers: { X-Foo: Declared-Header-99, X-Api-Key: Api-Key-00 },
                     secret-headers: [X-Foo], method: Api-Key-00, expect: { body-contains: { a: Declared-Header-99 } } }
            """));
  }

  @Test
  void theTokenIsNeverQuoted() {
    assertEquals(List.of("server.token: must be at least 16 characters when details is \"authorized\" (was 10);"
        + " e.g. openssl rand -hex 32"), problems(Map.of(), "server: { details: authorized, token: Short-Tok1 }\nchecks: {}\n"));
  }
}
