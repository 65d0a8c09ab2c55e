package io.vigil.bench.actuator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Spring Boot Actuator's health endpoints for {@code bench/actuator.py}: no code of its own, only
 * what auto-configuration builds from application.properties (the redis and db health indicators,
 * the liveness and readiness groups). The port comes from the command line,
 * {@code --server.port=N}.
 */
@SpringBootApplication
public class ActuatorPeer {
  public static void main(String[] args) {
    SpringApplication.run(ActuatorPeer.class, args);
  }
}
