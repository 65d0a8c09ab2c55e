package io.vigil.check;

import io.vigil.config.CheckType;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's table of check types is the CheckType enum, row for row. */
class CheckTypeTableTest {

  @Test
  void readmeTableListsEveryCheckTypeWithItsDescription() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String start = "<!-- check-types:";
    String table = readme.substring(readme.indexOf(start), readme.indexOf("<!-- /check-types -->"));
    List<String> rows = table.lines().filter(l -> l.startsWith("| `")).toList();
    List<String> expected = Arrays.stream(CheckType.values())
        .map(t -> "| `" + t.key() + "` | " + t.description() + " |").toList();
    assertEquals(expected, rows);
  }
}
