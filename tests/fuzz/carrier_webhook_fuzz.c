/* libFuzzer: what a carrier webhook parses from the network before and
 * after the signature: the Twilio/SignalWire signature check over a form
 * or bodySHA256 body (with a URL taken from the input, so port and
 * credential handling see hostile URLs), the SignalWire hex scheme,
 * Telnyx's Ed25519 check with hostile headers, the answer markup built
 * from hostile values (it must stay well-formed: no raw < or " from
 * input), and campaign target CSV.  Input: four NUL-separated parts
 * (url, header, body, extra). */
#include "fcgi/telephony/answer.h"
#include "fcgi/telephony/signature.h"
#include "fcgi/telephony/targets_csv.h"
#include "fcgi/telephony/allowlist.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *
part(const char **p, const char *end)
{
	const char *s = *p;
	const char *z = memchr(s, '\0', (size_t)(end - s));
	*p = z ? z + 1 : end;
	return s;
}

/* The document is complete, and the hostile token sits, escaped, inside
 * its attribute: the attribute value ends exactly where the escaped
 * token ends (no quote from the input closed it early). */
static void
check_markup(const struct buf *b, const char *token, int stream)
{
	if (b->data == NULL || strstr(b->data, "</Response>\n") == NULL)
		abort();
	if (!stream)
		return;
	const char *at = strstr(b->data, "<Parameter name=\"token\" value=\"");
	if (at == NULL)
		abort();
	at += strlen("<Parameter name=\"token\" value=\"");
	struct buf esc;
	buf_init(&esc, 1 << 20);
	answer_xml_escape(&esc, token);
	if (strncmp(at, esc.data ? esc.data : "", esc.len) != 0 || at[esc.len] != '"')
		abort();
	buf_free(&esc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 4);
	memcpy(copy, data, size);
	memset(copy + size, 0, 4);
	const char *p = copy, *end = copy + size + 3;
	const char *url = part(&p, end), *header = part(&p, end);
	const char *body = part(&p, end), *extra = p < end ? p : "";
	size_t blen = strlen(body);

	sig_hmac_valid("12345", url, "application/x-www-form-urlencoded", body, blen, header,
	    SIG_TWILIO_ORDER);
	sig_hmac_valid("12345", url, "application/json", body, blen, header, SIG_SIGNALWIRE_ORDER);
	sig_signalwire_hex_valid("k", url, body, blen, header);
	sig_telnyx_valid("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", extra, header, body, blen,
	    1700000000, 300);
	sig_telnyx_valid(header, extra, header, body, blen, 1700000000, 0);
	char *v[3];
	int n = sig_url_variants(url, v);
	if (n < 1 || n > 3)
		abort();
	for (int i = 0; i < n; i++)
		free(v[i]);
	allowlist_permits(header, extra);
	allowlist_check(url);

	struct buf out;
	buf_init(&out, 1 << 20);
	for (int k = 0; k < 3; k++) {
		struct answer a = { .carrier = (enum carrier)(k % CARRIER__COUNT), .kind = (enum answer_kind)k,
			.public_url = url, .call_id = extra, .token = header, .language = body,
			.record = 1, .record_channels = "dual", .max_duration = 60, .reason = extra,
			.voicemail_max = 30 };
		buf_reset(&out);
		if (answer_render(&a, &out) == 0)
			check_markup(&out, header, k == ANSWER_STREAM);
	}
	buf_free(&out);

	json_t *targets, *rejected;
	const char *error;
	targets_csv_parse(body, blen, &targets, &rejected, &error);
	for (size_t i = 0; i < json_array_size(targets); i++)
		if (json_string_value(json_object_get(json_array_get(targets, i), "phone"))[0] != '+')
			abort();
	json_decref(targets);
	json_decref(rejected);
	free(copy);
	return 0;
}
