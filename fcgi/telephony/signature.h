/* Carrier webhook signatures, checked over the raw request before
 * anything else happens.
 *
 * Twilio (and SignalWire's cXML scheme): base64(HMAC-SHA1(key, url +
 * sorted name+value pairs)), tried over the URL as received, with its
 * port stripped and with the default port added; a non-form body is
 * signed through the bodySHA256 query parameter instead.  Repeated names:
 * Twilio de-duplicates and sorts the values, SignalWire keeps them in
 * submission order.  SignalWire's JSON scheme: hex(HMAC-SHA1(key, url +
 * body)).  Telnyx: Ed25519 over "timestamp|body" with a time window. */
#ifndef VOXLINE_SIGNATURE_H
#define VOXLINE_SIGNATURE_H
#include <jansson.h>
#include <stddef.h>
#include <time.h>

enum sig_order { SIG_TWILIO_ORDER, SIG_SIGNALWIRE_ORDER };

/* The signature of url + params (object of strings or arrays of strings,
 * may be NULL) under key; malloc'd base64. */
char *sig_hmac_compute(const char *key, const char *url, json_t *params, enum sig_order order);

/* The URL forms a carrier may have signed: as-is, port removed, default
 * port added (duplicates left out).  Returns how many (1..3); free each. */
int sig_url_variants(const char *url, char *out[3]);

/* 1 when header is a valid signature of the request.  body/content_type
 * decide between the form and the bodySHA256 variants: form params are
 * parsed from body when the content type is form-encoded. */
int sig_hmac_valid(const char *key, const char *url, const char *content_type,
    const char *body, size_t body_len, const char *header, enum sig_order order);

/* SignalWire JSON scheme: 1 when hex_header = hex(HMAC-SHA1(key, url+body)). */
int sig_signalwire_hex_valid(const char *key, const char *url, const char *body,
    size_t body_len, const char *hex_header);

/* Telnyx: 1 when sig_b64 is an Ed25519 signature of timestamp "|" body by
 * public_key_b64 (32 raw bytes) and |now - timestamp| <= tolerance
 * (tolerance 0: no window). */
int sig_telnyx_valid(const char *public_key_b64, const char *timestamp, const char *sig_b64,
    const char *body, size_t body_len, time_t now, long tolerance);

#endif
