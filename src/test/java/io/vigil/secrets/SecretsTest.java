package io.vigil.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.config.Details;
import io.vigil.config.Secrets;
import io.vigil.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The scrubber's rules, one by one: what it masks, in which forms, and what it leaves alone. */
class SecretsTest {
  private static final Secrets NONE = Secrets.none();

  @Test
  void nothingToScrubComesBackAsItWas() {
    Secrets s = new Secrets(List.of("hunter2"));
    assertEquals(null, s.scrub((String) null));
    assertEquals("", s.scrub(""));
    assertEquals("connection refused: 127.0.0.1:6379", s.scrub("connection refused: 127.0.0.1:6379"));
  }

  @Test
  void theUriPasswordIsDecodedAndAbsentWithoutOne() {
    assertEquals("p@ss:w", Secrets.uriPassword("redis://user:p%40ss%3Aw@db:6379/0"));
    assertEquals("pw", Secrets.uriPassword("redis://:pw@db:6379"));
    assertEquals(null, Secrets.uriPassword("redis://user@db:6379"));
    assertEquals(null, Secrets.uriPassword("redis://db:6379"));
  }

  @Test
  void knownValuesAreMaskedLongestFirst() {
    Secrets s = new Secrets(List.of("hunter2", "hunter2-and-more"));
    assertEquals("a **** b ****", s.scrub("a hunter2-and-more b hunter2"));
  }

  @Test
  void knownValuesAreMaskedInTheFormsTheyTravelIn() {
    Secrets s = new Secrets(List.of("p@ss w/\"rd"));
    assertEquals("form ****", s.scrub("form p%40ss+w%2F%22rd"), "URL-encoded, space as +");
    assertEquals("query ****", s.scrub("query p%40ss%20w%2F%22rd"), "URL-encoded, space as %20");
    assertEquals("{\"m\":\"****\"}", s.scrub("{\"m\":\"p@ss w/\\\"rd\"}"), "JSON-escaped");
    Secrets encoded = new Secrets(List.of("p%40ss"));
    assertEquals("AUTH ****", encoded.scrub("AUTH p@ss"), "a URI-encoded value is also masked decoded");
  }

  @Test
  void shortValuesAreNotMaskedEverywhere() {
    assertEquals("ab in a table", new Secrets(List.of("ab")).scrub("ab in a table"));
  }

  @Test
  void aPasswordInAnyUriIsMaskedUnknown() {
    assertEquals("dial redis://:****@10.0.0.5:6379 and postgresql://app:****@db/x",
        NONE.scrub("dial redis://:s3cr3t@10.0.0.5:6379 and postgresql://app:pa55@db/x"));
    assertEquals("redis://10.0.0.5:6379/0", NONE.scrub("redis://10.0.0.5:6379/0"), "no user info, nothing to mask");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "http://h/x?password=Se1&a=1 | http://h/x?password=****&a=1",
      "http://h/x?PASSWORD=Se1 | http://h/x?PASSWORD=****",
      "http://h/x?a=1&token=Se1#frag | http://h/x?a=1&token=****#frag",
      "http://h/x?api_key=Se1 | http://h/x?api_key=****",
      "http://h/x?Api-Key=Se1 | http://h/x?Api-Key=****",
      "http://h/x?apikey=Se1 | http://h/x?apikey=****",
      "http://h/x?access_token=Se1 | http://h/x?access_token=****",
      "http://h/x?client_secret=Se1 | http://h/x?client_secret=****",
      "http://h/x?X-Amz-Signature=Se1&X-Amz-Credential=Se2 | http://h/x?X-Amz-Signature=****&X-Amz-Credential=****",
      "http://h/x?sig=Se1;pwd=Se2 | http://h/x?sig=****;pwd=****",
      "GET /health?key=Se1 HTTP/1.1 | GET /health?key=**** HTTP/1.1",
      "connect host=db password=Se1 user=app | connect host=db password=**** user=app",
      "http://h/x?page=2&sort=name | http://h/x?page=2&sort=name",
  })
  void credentialParametersAreMaskedWhateverTheirCase(String text, String scrubbed) {
    assertEquals(scrubbed, NONE.scrub(text));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "Authorization: Bearer abcdef123456 | Authorization: Bearer ****",
      "authorization: basic dXNlcjpwYXNz | authorization: basic ****",
      "Proxy-Authorization: Basic dXNlcjpwYXNz | Proxy-Authorization: Basic ****",
      "X-Api-Key: k-123456 | X-Api-Key: ****",
      "Cookie: session=abc; theme=dark | Cookie: ****",
      "{\"x-auth-token\":\"abc123\",\"n\":1} | {\"x-auth-token\":\"****\",\"n\":1}",
      "the token expired | the token expired",
      "server.token: must be at least 16 characters | server.token: must be at least 16 characters",
  })
  void credentialHeadersAreMaskedWhateverTheValue(String text, String scrubbed) {
    assertEquals(scrubbed, NONE.scrub(text));
  }

  @Test
  void aMessageCutShortDoesNotEndInTheStartOfASecret() {
    Secrets s = new Secrets(List.of("VeryLongPassword-123"));
    assertEquals("AUTH failed for ****…", s.scrub("AUTH failed for VeryLongPa…"));
    assertEquals("cut here…", s.scrub("cut here…"));
  }

  @Test
  void dataMapsAreScrubbedThroughNestedMapsAndListsKeepingNumbers() {
    Secrets s = new Secrets(List.of("hunter2"));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("statusCode", 500);
    data.put("ok", false);
    data.put("body", "echo hunter2");
    data.put("nested", Map.of("url", "http://u:hunter2@h/?token=t0k3n"));
    data.put("list", List.of("a hunter2", 7));
    data.put("hunter2", "as a key");
    Map<String, Object> out = s.scrub(data);
    assertEquals(500, out.get("statusCode"));
    assertEquals(false, out.get("ok"));
    assertEquals("echo ****", out.get("body"));
    assertEquals(Map.of("url", "http://u:****@h/?token=****"), out.get("nested"));
    assertEquals(List.of("a ****", 7), out.get("list"));
    assertEquals("as a key", out.get("****"));
    assertEquals(Map.of(), s.scrub((Map<String, Object>) null));
  }

  @Test
  void aUriYieldsItsPasswordItsBasicFormAndItsCredentialParameters() {
    List<String> found = Secrets.ofUri("https://admin:pa%40ss@h/x?token=T-1&page=2");
    String basic = Base64.getEncoder().encodeToString("admin:pa@ss".getBytes(StandardCharsets.UTF_8));
    assertTrue(found.containsAll(List.of("pa@ss", basic, "T-1")), found.toString());
    assertFalse(found.contains("2"), found.toString());
  }

  @Test
  void headerValuesYieldTheirCredentialsAfterTheScheme() {
    String basic = Base64.getEncoder().encodeToString("u:Secret-pw".getBytes(StandardCharsets.UTF_8));
    assertTrue(Secrets.ofHeaderValue("Basic " + basic).containsAll(List.of("Basic " + basic, basic, "Secret-pw")));
    assertEquals(List.of("plain-key"), Secrets.ofHeaderValue("plain-key"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Authorization,true", "proxy-authorization,true", "Cookie,true", "X-API-KEY,true", "X-Auth-Token,true",
      "X-Vault-Token,true", "X-Client-Secret,true", "Accept,false", "X-Tenant,false", "X-Foo,true"})
  void secretHeadersAreTheUsualOnesNamesThatSaySoAndTheDeclaredOnes(String name, boolean secret) {
    assertEquals(secret, Secrets.isSecretHeader(name, List.of("x-foo")));
  }

  @Test
  void describeMasksNamedComponentsAndScrubsTheOthers() {
    ServerConfig server = new ServerConfig("127.0.0.1", 9090, Details.AUTHORIZED, "0123456789abcdef-token",
        Duration.ofSeconds(5), Duration.ofSeconds(20));
    assertFalse(server.toString().contains("0123456789abcdef-token"), server.toString());
    assertTrue(server.toString().contains("token=****"), server.toString());
    assertTrue(ServerConfig.DEFAULTS.toString().contains("token=,"), "an empty token shows empty: " + ServerConfig.DEFAULTS);
  }
}
