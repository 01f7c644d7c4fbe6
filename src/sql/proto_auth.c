/* proto_auth.c — the password scrambles of the MySQL handshake, on libcrypto's SHA1 and
 * SHA256: mysql_native_password and caching_sha2_password (its fast path: the server knows the
 * password, so it can check the scramble itself and needs no RSA or TLS round).
 * Layer: sql/protocol. Pure functions of their inputs. */
#include "proto_codec.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

void hsql_auth_native_scramble(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                               uint8_t out[20])
{
    uint8_t s1[SHA_DIGEST_LENGTH], s2[SHA_DIGEST_LENGTH], s3[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)password, strlen(password), s1);
    SHA1(s1, sizeof s1, s2);
    uint8_t buf[HSQL_SCRAMBLE_LEN + SHA_DIGEST_LENGTH];
    memcpy(buf, nonce, HSQL_SCRAMBLE_LEN);
    memcpy(buf + HSQL_SCRAMBLE_LEN, s2, sizeof s2);
    SHA1(buf, sizeof buf, s3);
    for (int i = 0; i < 20; i++)
        out[i] = s1[i] ^ s3[i];
}

void hsql_auth_sha2_scramble(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                             uint8_t out[32])
{
    uint8_t s1[SHA256_DIGEST_LENGTH], s2[SHA256_DIGEST_LENGTH], s3[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)password, strlen(password), s1);
    SHA256(s1, sizeof s1, s2);
    uint8_t buf[SHA256_DIGEST_LENGTH + HSQL_SCRAMBLE_LEN];
    memcpy(buf, s2, sizeof s2);
    memcpy(buf + sizeof s2, nonce, HSQL_SCRAMBLE_LEN);
    SHA256(buf, sizeof buf, s3);
    for (int i = 0; i < 32; i++)
        out[i] = s1[i] ^ s3[i];
}

bool hsql_auth_native_ok(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                         base_span_t resp)
{
    if (!*password)
        return resp.len == 0;
    if (resp.len != 20)
        return false;
    uint8_t want[20];
    hsql_auth_native_scramble(nonce, password, want);
    return CRYPTO_memcmp(want, resp.p, 20) == 0;
}

bool hsql_auth_sha2_ok(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                       base_span_t resp)
{
    if (!*password)
        return resp.len == 0 || (resp.len == 1 && resp.p[0] == 0);
    if (resp.len != 32)
        return false;
    uint8_t want[32];
    hsql_auth_sha2_scramble(nonce, password, want);
    return CRYPTO_memcmp(want, resp.p, 32) == 0;
}
