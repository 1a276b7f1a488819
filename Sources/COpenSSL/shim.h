/* The OpenSSL 3 (libcrypto) primitives KerberosCrypto builds on: AES in
 * CBC-CTS mode (CS3, the Kerberos variant), HMAC through EVP_MAC, and the
 * DRBG. Nothing here but the headers and two parameter builders Swift
 * cannot express comfortably (OSSL_PARAM arrays ending in a terminator). */
#ifndef ZGSS_COPENSSL_SHIM_H
#define ZGSS_COPENSSL_SHIM_H

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* Sets ciphertext stealing to CS3 (always swap the last two blocks). */
static inline int copenssl_cipher_set_cs3(EVP_CIPHER_CTX *ctx)
{
    char mode[] = "CS3";
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_CIPHER_PARAM_CTS_MODE, mode, 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_CIPHER_CTX_set_params(ctx, params);
}

/* Keys an HMAC context with the named digest ("SHA1", "SHA256", "SHA384"). */
static inline int copenssl_hmac_init(EVP_MAC_CTX *ctx, const char *digest, const unsigned char *key, size_t length)
{
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_init(ctx, key, length, params);
}

#endif
