/* proto_auth.c — the password scrambles of the MySQL handshake, on libcrypto's SHA1 and
 * SHA256: mysql_native_password and caching_sha2_password (its fast path: the server knows the
 * password, so it can check the scramble itself and needs no RSA or TLS round).
 * Layer: sql/protocol. Pure functions of their inputs.
 *
 * The digests go through algorithms fetched once and a context per thread: OpenSSL 3's
 * one-shot SHA1()/SHA256() fetch the algorithm and allocate a context on every call, which
 * was most of the CPU a connection's authentication cost (three digests per check). */
#include "proto_codec.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <string.h>

static EVP_MD *md_sha1, *md_sha256;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static pthread_key_t md_key; /* the thread's EVP_MD_CTX, freed when the thread ends */
static bool md_key_ok;

static void ctx_free(void *p) { EVP_MD_CTX_free(p); }

static void md_fetch(void)
{
    md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    md_key_ok = pthread_key_create(&md_key, ctx_free) == 0;
}

/* out = H(a || b) with H SHA1 (sha256 false) or SHA256; falls back to the one-shot calls. */
static void digest2(bool sha256, const void *a, size_t an, const void *b, size_t bn, uint8_t *out)
{
    pthread_once(&md_once, md_fetch);
    EVP_MD *md = sha256 ? md_sha256 : md_sha1;
    EVP_MD_CTX *md_ctx = md_key_ok ? pthread_getspecific(md_key) : NULL;
    if (!md_ctx && md_key_ok && (md_ctx = EVP_MD_CTX_new()) != NULL &&
        pthread_setspecific(md_key, md_ctx) != 0) {
        EVP_MD_CTX_free(md_ctx);
        md_ctx = NULL;
    }
    if (md && md_ctx && EVP_DigestInit_ex2(md_ctx, md, NULL) &&
        EVP_DigestUpdate(md_ctx, a, an) && (!bn || EVP_DigestUpdate(md_ctx, b, bn)) &&
        EVP_DigestFinal_ex(md_ctx, out, NULL))
        return;
    uint8_t buf[128];
    if (an + bn <= sizeof buf) {
        memcpy(buf, a, an);
        if (bn)
            memcpy(buf + an, b, bn);
        if (sha256)
            SHA256(buf, an + bn, out);
        else
            SHA1(buf, an + bn, out);
    } else if (sha256) {
        SHA256(a, an, out); /* only a password longer than the buffer, with bn == 0 */
    } else {
        SHA1(a, an, out);
    }
}

void hsql_auth_native_scramble(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                               uint8_t out[20])
{
    uint8_t s1[SHA_DIGEST_LENGTH], s2[SHA_DIGEST_LENGTH], s3[SHA_DIGEST_LENGTH];
    digest2(false, password, strlen(password), NULL, 0, s1);
    digest2(false, s1, sizeof s1, NULL, 0, s2);
    digest2(false, nonce, HSQL_SCRAMBLE_LEN, s2, sizeof s2, s3);
    for (int i = 0; i < 20; i++)
        out[i] = s1[i] ^ s3[i];
}

void hsql_auth_sha2_scramble(const uint8_t nonce[HSQL_SCRAMBLE_LEN], const char *password,
                             uint8_t out[32])
{
    uint8_t s1[SHA256_DIGEST_LENGTH], s2[SHA256_DIGEST_LENGTH], s3[SHA256_DIGEST_LENGTH];
    digest2(true, password, strlen(password), NULL, 0, s1);
    digest2(true, s1, sizeof s1, NULL, 0, s2);
    digest2(true, s2, sizeof s2, nonce, HSQL_SCRAMBLE_LEN, s3);
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
