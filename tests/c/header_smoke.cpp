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
    zgss_config_destroy(config);
    std::printf("zgss %s from C++, set rc %d\n", zgss_version(), rc);
    return (rc == 0 && std::strcmp(zgss_version(), "0.1.0") == 0) ? 0 : 1;
}
