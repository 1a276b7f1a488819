// SPDX-License-Identifier: MIT
/* The per-client table of mosquitto_zgss.so; see clients.h. A fixed array
 * of buckets chained by pointer hash: the broker calls in for every
 * disconnect, so a lookup must not walk every client. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "clients.h"

#define BUCKET_BITS 10
#define BUCKETS (1u << BUCKET_BITS)

static struct client_state *buckets[BUCKETS];
static size_t exchanges; /* entries with an exchange in progress */

/* Fibonacci hashing of the pointer: its top bits pick the bucket. */
static struct client_state **bucket(const struct mosquitto *client) {
    uint64_t key = (uint64_t)(uintptr_t)client;
    return &buckets[(key * 0x9E3779B97F4A7C15ull) >> (64 - BUCKET_BITS)];
}

struct client_state *clients_find(const struct mosquitto *client) {
    for (struct client_state *s = *bucket(client); s; s = s->next)
        if (s->client == client) return s;
    return NULL;
}

struct client_state *clients_add(struct mosquitto *client) {
    clients_remove(client);
    struct client_state *state = calloc(1, sizeof *state);
    if (!state) return NULL;
    struct client_state **head = bucket(client);
    state->client = client;
    state->next = *head;
    *head = state;
    return state;
}

void clients_remove(const struct mosquitto *client) {
    for (struct client_state **link = bucket(client); *link; link = &(*link)->next) {
        if ((*link)->client != client) continue;
        struct client_state *gone = *link;
        *link = gone->next;
        if (gone->sasl) exchanges--;
        zgss_sasl_destroy(gone->sasl);
        free(gone->principal);
        free(gone);
        return;
    }
}

void clients_begin_exchange(struct client_state *state, zgss_sasl_t *sasl, double deadline) {
    if (state->sasl) exchanges--;
    zgss_sasl_destroy(state->sasl);
    state->sasl = sasl;
    state->deadline = deadline;
    if (sasl) exchanges++;
}

void clients_end_exchange(struct client_state *state) {
    if (state->sasl) exchanges--;
    zgss_sasl_destroy(state->sasl);
    state->sasl = NULL;
    if (!state->principal) clients_remove(state->client);
}

struct client_state *clients_find_expired(double now, const struct mosquitto *except) {
    if (exchanges == 0) return NULL; /* the usual case: no scan */
    for (size_t i = 0; i < BUCKETS; i++)
        for (struct client_state *s = buckets[i]; s; s = s->next)
            if (s->sasl && s->deadline <= now && s->client != except) return s;
    return NULL;
}

double clients_now(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

void clients_clear(void) {
    for (size_t i = 0; i < BUCKETS; i++) {
        while (buckets[i]) clients_remove(buckets[i]->client);
    }
}
