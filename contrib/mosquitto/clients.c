/* The per-client table of mosquitto_zgss.so; see clients.h. A fixed array
 * of buckets chained by pointer hash: the broker calls in for every
 * disconnect, so a lookup must not walk every client. */
#include <stdint.h>
#include <stdlib.h>
#include "clients.h"

#define BUCKET_BITS 10
#define BUCKETS (1u << BUCKET_BITS)

static struct client_state *buckets[BUCKETS];

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

struct client_state *clients_add(const struct mosquitto *client) {
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
        zgss_sasl_destroy(gone->sasl);
        free(gone->principal);
        free(gone);
        return;
    }
}

void clients_end_exchange(struct client_state *state) {
    zgss_sasl_destroy(state->sasl);
    state->sasl = NULL;
    if (!state->principal) clients_remove(state->client);
}

void clients_clear(void) {
    for (size_t i = 0; i < BUCKETS; i++) {
        while (buckets[i]) clients_remove(buckets[i]->client);
    }
}
