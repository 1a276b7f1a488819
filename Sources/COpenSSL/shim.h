// SPDX-License-Identifier: MIT
/* The OpenSSL 3 (libcrypto) primitives KerberosCrypto builds on: AES
 * (EVP, for AES-NI), the plain SHA-1/SHA-2 functions and the DRBG. */
#ifndef ZGSS_COPENSSL_SHIM_H
#define ZGSS_COPENSSL_SHIM_H

/* The plain SHA-1/SHA-2 functions are "deprecated" in OpenSSL 3 in favour
 * of EVP, whose per-call parameter handling and context duplication cost
 * more than the hash of a small message. They remain supported; keep them
 * quiet. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/core_names.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#endif
