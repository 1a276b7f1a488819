// SPDX-License-Identifier: MIT
/* Parsing of mosquitto_zgss.so's plugin_opt_* lines; see options.h. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include "options.h"

enum option_kind {
    OPTION_TEXT,    /* one non-empty string, given at most once */
    OPTION_LIST,    /* names separated by commas (and blanks); lines add up */
    OPTION_BOOLEAN, /* "true" or "false" (as mosquitto.conf's own), once */
    OPTION_SECONDS  /* a whole number of seconds, 1..PLUGIN_MAX_AUTH_TIMEOUT, once */
};

struct option_spec {
    const char *key;
    enum option_kind kind;
    size_t field; /* offset of the value in struct plugin_options (TEXT: a
                     char *, BOOLEAN and SECONDS: an int) */
};

static const struct option_spec specs[] = {
    {"principal", OPTION_TEXT, offsetof(struct plugin_options, principal)},
    {"keytab", OPTION_TEXT, offsetof(struct plugin_options, keytab)},
    {"mapping_rules", OPTION_TEXT, offsetof(struct plugin_options, mapping_rules)},
    {"default_realm", OPTION_TEXT, offsetof(struct plugin_options, default_realm)},
    {"allow", OPTION_LIST, 0},
    {"allow_password_logins", OPTION_BOOLEAN, offsetof(struct plugin_options, allow_password_logins)},
    {"auth_timeout", OPTION_SECONDS, offsetof(struct plugin_options, auth_timeout)},
};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])

static const char *const blanks = " \t\r\n\v\f";

static const struct option_spec *find_spec(const char *key) {
    for (size_t i = 0; i < SPEC_COUNT; i++)
        if (strcmp(specs[i].key, key) == 0) return &specs[i];
    return NULL;
}

static void log_unknown(const char *key, const char *value) {
    char known[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < SPEC_COUNT && used < sizeof known; i++) {
        int n = snprintf(known + used, sizeof known - used, "%splugin_opt_%s", i ? ", " : "", specs[i].key);
        if (n < 0) break;
        used += (size_t)n;
    }
    mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: unknown option plugin_opt_%s '%s' (known: %s)", key, value, known);
}

static int add_name(struct plugin_options *out, const char *name, size_t length) {
    char **grown = realloc(out->allow, (out->allow_count + 1) * sizeof *grown);
    if (!grown) return -1;
    out->allow = grown;
    char *copy = strndup(name, length);
    if (!copy) return -1;
    out->allow[out->allow_count++] = copy;
    return 0;
}

/* Adds the names of one plugin_opt_allow line. Every comma-separated entry
 * must hold at least one name: ",", "alice,," and "alice," are mistakes,
 * not "allow everybody". */
static int add_list(struct plugin_options *out, const char *key, const char *value) {
    const char *entry = value;
    for (;;) {
        const char *comma = strchr(entry, ',');
        const char *end = comma ? comma : entry + strlen(entry);
        int names = 0;
        for (const char *p = entry; p < end;) {
            p += strspn(p, blanks);
            if (p >= end) break;
            size_t length = strcspn(p, blanks);
            if (p + length > end) length = (size_t)(end - p);
            if (add_name(out, p, length) != 0) {
                mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: out of memory reading plugin_opt_%s", key);
                return -1;
            }
            names++;
            p += length;
        }
        if (names == 0) {
            mosquitto_log_printf(MOSQ_LOG_ERR,
                                 "zgss: plugin_opt_%s '%s' has an empty entry (names are separated by commas)",
                                 key, value);
            return -1;
        }
        if (!comma) return 0;
        entry = comma + 1;
    }
}

static int set_text(struct plugin_options *out, const struct option_spec *spec, const char *value) {
    char **slot = (char **)((char *)out + spec->field);
    if (*slot) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: plugin_opt_%s is given twice ('%s' and '%s')",
                             spec->key, *slot, value);
        return -1;
    }
    *slot = strdup(value);
    if (!*slot) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: out of memory reading plugin_opt_%s", spec->key);
        return -1;
    }
    return 0;
}

/* Reads "true"/"false" (BOOLEAN) or 1..PLUGIN_MAX_AUTH_TIMEOUT (SECONDS)
 * into an int field; `seen` has a bit per spec, as an int has no unset
 * state. */
static int set_number(struct plugin_options *out, const struct option_spec *spec, const char *value,
                      unsigned *seen) {
    int *slot = (int *)(void *)((char *)out + spec->field);
    unsigned bit = 1u << (spec - specs);
    if (*seen & bit) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: plugin_opt_%s is given twice (and again as '%s')", spec->key, value);
        return -1;
    }
    *seen |= bit;
    if (spec->kind == OPTION_BOOLEAN) {
        if (strcmp(value, "true") == 0) *slot = 1;
        else if (strcmp(value, "false") == 0) *slot = 0;
        else {
            mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: plugin_opt_%s '%s' must be true or false", spec->key, value);
            return -1;
        }
        return 0;
    }
    char *end = NULL;
    long number = value[0] >= '0' && value[0] <= '9' ? strtol(value, &end, 10) : -1;
    if (!end || *end != '\0' || number < 1 || number > PLUGIN_MAX_AUTH_TIMEOUT) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: plugin_opt_%s '%s' must be a whole number of seconds, 1 to %d",
                             spec->key, value, PLUGIN_MAX_AUTH_TIMEOUT);
        return -1;
    }
    *slot = (int)number;
    return 0;
}

static int parse_one(struct plugin_options *out, const char *key, const char *value, unsigned *seen) {
    const struct option_spec *spec = find_spec(key);
    if (!spec) {
        log_unknown(key, value);
        return -1;
    }
    if (value[0] == '\0') {
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: plugin_opt_%s is empty", key);
        return -1;
    }
    switch (spec->kind) {
    case OPTION_TEXT: return set_text(out, spec, value);
    case OPTION_LIST: return add_list(out, key, value);
    case OPTION_BOOLEAN:
    case OPTION_SECONDS: return set_number(out, spec, value, seen);
    }
    return -1;
}

/* A copy of `value` without the blanks around it. mosquitto skips the
 * blanks before a value but keeps those after it, which are invisible in
 * mosquitto.conf ("mqtt/host@REALM " is another principal). */
static char *trimmed(const char *value) {
    value += strspn(value, blanks);
    size_t length = strlen(value);
    while (length > 0 && strchr(blanks, value[length - 1])) length--;
    return strndup(value, length);
}

int plugin_options_parse(const struct mosquitto_opt *options, int count, struct plugin_options *out) {
    memset(out, 0, sizeof *out);
    out->auth_timeout = PLUGIN_DEFAULT_AUTH_TIMEOUT;
    unsigned seen = 0; /* bit i: specs[i] given (for values without a NULL state) */
    for (int i = 0; i < count; i++) {
        const char *key = options[i].key ? options[i].key : "";
        char *value = trimmed(options[i].value ? options[i].value : "");
        if (!value) mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: out of memory reading plugin_opt_%s", key);
        int failed = !value || parse_one(out, key, value, &seen) != 0;
        free(value);
        if (failed) {
            plugin_options_free(out);
            return -1;
        }
    }
    if (!out->principal) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "zgss: plugin_opt_principal is required (service/host@REALM, e.g. mqtt/broker.example.com@EXAMPLE.COM)");
        plugin_options_free(out);
        return -1;
    }
    return 0;
}

void plugin_options_free(struct plugin_options *options) {
    for (size_t i = 0; i < SPEC_COUNT; i++) {
        if (specs[i].kind != OPTION_TEXT) continue;
        char **slot = (char **)((char *)options + specs[i].field);
        free(*slot);
    }
    for (size_t i = 0; i < options->allow_count; i++) free(options->allow[i]);
    free(options->allow);
    memset(options, 0, sizeof *options);
}
