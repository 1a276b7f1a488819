// SPDX-License-Identifier: MIT
/* What mosquitto_zgss.so remembers per client, keyed by the broker's
 * client pointer: the exchange in progress, and the principal the client's
 * first authentication established (a re-authentication must keep it).
 * An entry lives from the first AUTH_START until MOSQ_EVT_DISCONNECT, or
 * until its first exchange fails. Broker thread only. Times are seconds of
 * CLOCK_MONOTONIC (clients_now). */
#ifndef ZGSS_MOSQUITTO_CLIENTS_H
#define ZGSS_MOSQUITTO_CLIENTS_H

#include <mosquitto_broker.h>
#include <zgss.h>

struct client_state {
    struct mosquitto *client;
    zgss_sasl_t *sasl;      /* the exchange in progress, or NULL */
    double deadline;        /* when that exchange is dropped (monotonic s) */
    char *principal;        /* set by the first success, then fixed */
    struct client_state *next;
};

/* The entry of `client`, or NULL. */
struct client_state *clients_find(const struct mosquitto *client);

/* A new empty entry for `client` (an old one is removed first); NULL when
 * out of memory. */
struct client_state *clients_add(struct mosquitto *client);

/* Starts an exchange on `state` (ending one in progress), to be finished
 * before `deadline`. */
void clients_begin_exchange(struct client_state *state, zgss_sasl_t *sasl, double deadline);

/* An entry whose exchange is still running at `now`, past its deadline,
 * other than `except`'s; NULL when none. */
struct client_state *clients_find_expired(double now, const struct mosquitto *except);

/* Ends the exchange in progress: frees it, and the entry too when the
 * client has never authenticated. `state` may be invalid afterwards. */
void clients_end_exchange(struct client_state *state);

/* Removes `client`'s entry, if any, freeing all it holds. */
void clients_remove(const struct mosquitto *client);

/* Removes every entry. */
void clients_clear(void);

/* CLOCK_MONOTONIC in seconds. */
double clients_now(void);

#endif
