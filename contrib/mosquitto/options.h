// SPDX-License-Identifier: MIT
/* The plugin_opt_* lines of mosquitto.conf that mosquitto_zgss.so reads.
 *
 * Values lose the blanks around them (a trailing space is invisible in the
 * file). Every option is checked when the broker starts: an unknown key (a typo
 * such as plugin_opt_allowed), a value that is empty, a list with an empty
 * entry, or a single-valued option given twice stops the broker with a log
 * line naming the option and quoting its value. Nothing falls back to a
 * default silently. */
#ifndef ZGSS_MOSQUITTO_OPTIONS_H
#define ZGSS_MOSQUITTO_OPTIONS_H

#include <stddef.h>
#include <mosquitto_plugin.h>

struct plugin_options {
    char *principal;     /* required: service/host@REALM */
    char *keytab;        /* NULL: the library's default keytab */
    char *mapping_rules; /* NULL: strip the default realm */
    char *default_realm; /* NULL: krb5.conf's */
    char **allow;        /* usernames or principals; none: everybody */
    size_t allow_count;
    int allow_password_logins; /* 0: refuse CONNECTs that carry a username
                                  or password; 1: leave them to others */
    int auth_timeout;    /* seconds an exchange may take (default 30) */
};

#define PLUGIN_DEFAULT_AUTH_TIMEOUT 30
#define PLUGIN_MAX_AUTH_TIMEOUT 3600

/* Reads `options` into `out` (zeroed first). Returns 0, or -1 after
 * logging why the configuration is refused; `out` is then freed. */
int plugin_options_parse(const struct mosquitto_opt *options, int count, struct plugin_options *out);

/* Frees what plugin_options_parse stored and zeroes `options`. */
void plugin_options_free(struct plugin_options *options);

#endif
