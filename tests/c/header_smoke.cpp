// SPDX-License-Identifier: MIT
// The public header compiles as C++ next to zmq.h, and every declared
// function links against the installed libzgss.so.
#include <zmq.h>
#include <zgss.h>
#include <cstdio>
#include <cstring>

int main() {
    zgss_config_t *config = zgss_config_new();
    int one = 1;
    int rc = zgss_config_set(config, ZMQ_GSSAPI_SERVER, &one, sizeof one);
    // The error codes are an enum whose constants compare with int results.
    int bad = zgss_config_set(config, ZMQ_GSSAPI_SERVER, &one, 2);
    zgss_error expected = ZGSS_E_INVAL;
    zgss_config_destroy(config);
    char version[32];
    std::snprintf(version, sizeof version, "%d.%d.%d", ZGSS_VERSION_MAJOR, ZGSS_VERSION_MINOR, ZGSS_VERSION_PATCH);
    std::printf("zgss %s from C++, set rc %d\n", zgss_version(), rc);
    return (rc == 0 && bad == expected && !zgss_is_fatal(bad) && std::strcmp(zgss_version(), version) == 0) ? 0 : 1;
}
