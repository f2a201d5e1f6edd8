/* Secrets and ids as text: making tokens and UUIDs, hashing a token, reading a bearer
 * header, recognising a UUID. */
#include "auth.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ims/error.h"

int auth_token_generate(char *out)
{
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return IMS_EINTERNAL;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    /* base64url without padding: 32 bytes -> 43 characters. */
    char *o = out + 4;
    memcpy(out, "ims_", 4);
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < sizeof raw; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *o++ = alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        *o++ = alphabet[(acc << (6 - bits)) & 63];
    *o = '\0';
    return 0;
}

/* SHA-256 fetched once: a digest named by EVP_sha256() is looked up again in the
 * provider at every use, which costs more than hashing a token. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_fetched;

static void sha256_fetch(void)
{
    sha256_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void auth_token_hash_hex(const char *token, char *out)
{
    static const char digits[] = "0123456789abcdef";
    (void)pthread_once(&sha256_once, sha256_fetch);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(token, strlen(token), md, &len, sha256_fetched ? sha256_fetched : EVP_sha256(),
               NULL);
    for (unsigned int i = 0; i < len; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[2 * len] = '\0';
}

int auth_token_well_formed(const char *token)
{
    if (strlen(token) != AUTH_TOKEN_LEN || strncmp(token, "ims_", 4) != 0)
        return 0;
    for (const char *p = token + 4; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

const char *auth_bearer_token(const char *value)
{
    if (!value || strncasecmp(value, "Bearer ", 7) != 0)
        return NULL;
    value += 7;
    while (*value == ' ')
        value++;
    size_t n = strlen(value);
    if (n == 0 || n > 256)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)value[i]))
            return NULL;
    return value;
}

int auth_uuid_generate(char *out)
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return IMS_EINTERNAL;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, AUTH_UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    return 0;
}

int auth_is_uuid(const char *text)
{
    if (strlen(text) != AUTH_UUID_LEN)
        return 0;
    for (int i = 0; i < AUTH_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)text[i])) {
            return 0;
        }
    }
    return 1;
}
