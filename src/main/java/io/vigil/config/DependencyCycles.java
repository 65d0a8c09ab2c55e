package io.vigil.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds a cycle in the {@code depends-on} graph, if there is one (self-loops are reported apart). */
final class DependencyCycles {
  private DependencyCycles() {}

  /** One cycle as a path that starts and ends at the same check, e.g. {@code [a, b, a]}. */
  static Optional<List<String>> find(Map<String, List<String>> graph) {
    Map<String, Integer> color = new HashMap<>(); // absent = unseen, 1 = on the stack, 2 = done
    for (String start : graph.keySet()) {
      List<String> stack = new ArrayList<>();
      Optional<List<String>> cycle = visit(start, graph, color, stack);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    return Optional.empty();
  }

  private static Optional<List<String>> visit(String node, Map<String, List<String>> graph,
      Map<String, Integer> color, List<String> stack) {
    Integer c = color.get(node);
    if (c != null && c == 2) {
      return Optional.empty();
    }
    if (c != null) {
      List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(node), stack.size()));
      cycle.add(node);
      return Optional.of(cycle);
    }
    color.put(node, 1);
    stack.add(node);
    for (String dep : graph.getOrDefault(node, List.of())) {
      if (graph.containsKey(dep) && !dep.equals(node)) {
        Optional<List<String>> cycle = visit(dep, graph, color, stack);
        if (cycle.isPresent()) {
          return cycle;
        }
      }
    }
    stack.remove(stack.size() - 1);
    color.put(node, 2);
    return Optional.empty();
  }
}
