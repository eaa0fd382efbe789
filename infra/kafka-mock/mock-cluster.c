/*
 * Local Kafka-protocol broker for development and tests: librdkafka's in-memory mock cluster.
 * Usage: kafka-mock <topic>:<partitions> ...
 * Creates the topics, prints `bootstrap.servers=<list>` on stdout, then serves until SIGTERM/SIGINT.
 * The mock keeps messages in memory only (a few MB per partition); production uses real Kafka.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BROKER_COUNT 3

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) { (void)sig; stopping = 1; }

int main(int argc, char **argv) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* Warnings and up only: the handle has no bootstrap.servers of its own, which is expected here. */
  rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
  /* The mock cluster lives inside a client handle; a producer handle is the lightest one. */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", errstr); return 1; }

  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, BROKER_COUNT);
  if (!cluster) { fprintf(stderr, "rd_kafka_mock_cluster_new failed\n"); rd_kafka_destroy(rk); return 1; }

  for (int i = 1; i < argc; i++) {
    char name[256];
    const char *colon = strrchr(argv[i], ':');
    int partitions = colon ? atoi(colon + 1) : 0;
    size_t len = colon ? (size_t)(colon - argv[i]) : 0;
    if (partitions <= 0 || len == 0 || len >= sizeof(name)) {
      fprintf(stderr, "bad topic spec '%s' (want name:partitions)\n", argv[i]);
      rd_kafka_mock_cluster_destroy(cluster); rd_kafka_destroy(rk); return 2;
    }
    memcpy(name, argv[i], len); name[len] = '\0';
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name, partitions, BROKER_COUNT);
    if (err) {
      fprintf(stderr, "topic %s: %s\n", name, rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(cluster); rd_kafka_destroy(rk); return 1;
    }
  }

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("bootstrap.servers=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  /* sleep() returns early on a signal; the 1 s bound covers a signal landing before the call. */
  while (!stopping) sleep(1);

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
