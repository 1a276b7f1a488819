// SPDX-License-Identifier: MIT
// Like the Guide's version.c: printf and uint8_t with nothing but zmq.h
// included, which zmq.h allows (it includes <stdio.h> and <stdint.h>).
// The stage builds with -Wall -Werror, so a missing declaration fails.
#include <zmq.h>

int main(void)
{
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    uint8_t flags = ZMQ_DONTWAIT;
    printf("Current 0MQ version is %d.%d.%d, DONTWAIT %u\n", major, minor, patch, (unsigned)flags);
    return 0;
}
