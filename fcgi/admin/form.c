#include "admin.h"
#include "xalloc.h"
#include <string.h>

json_t *
form_check(const struct form *f, json_t *in, json_t **out)
{
	return validate(f->fields, in, out);
}

static json_t *
choice_options(const char *choices)
{
	json_t *opts = json_array();
	for (const char *c = choices; c && *c; ) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);
		char *v = xstrndup(c, len);
		json_array_append_new(opts, json_pack("{s:s,s:s}", "value", v, "label", v));
		free(v);
		c = bar ? bar + 1 : NULL;
	}
	return opts;
}

/* A stored or submitted value as the text an input shows. */
static json_t *
shown_value(json_t *v)
{
	if (v == NULL || json_is_null(v))
		return json_string("");
	if (json_is_string(v))
		return json_incref(v);
	if (json_is_true(v))
		return json_string("on");
	if (json_is_false(v))
		return json_string("");
	if (json_is_integer(v))
		return json_sprintf("%lld", (long long)json_integer_value(v));
	return json_string("");
}

static void
mark_selected(json_t *field)
{
	const char *value = json_string_value(json_object_get(field, "value"));
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(field, "options"), i, o)
		json_object_set_new(o, "selected", json_boolean(value &&
		    strcmp(value, json_string_value(json_object_get(o, "value"))) == 0));
}

json_t *
form_view(const struct form *f, json_t *values, json_t *errors)
{
	json_t *view = json_array();
	for (int i = 0; f->fields[i].name; i++) {
		const struct field *fd = &f->fields[i];
		const struct form_ui *ui = &f->ui[i];
		json_t *value = shown_value(json_object_get(values, fd->name));
		const char *input = ui->input;
		json_t *e = json_object_get(errors, fd->name);
		int is_text = strcmp(input, "textarea") != 0 && strcmp(input, "select") != 0 &&
		    strcmp(input, "checkbox") != 0;
		int checked = strcmp(json_string_value(value), "on") == 0;
		json_t *o = json_pack("{s:s,s:s,s:s?,s:o,s:O?,s:b,s:b,s:b,s:b,s:s?,s:n,s:n,s:n,s:n}",
		    "name", fd->name, "label", ui->label, "hint", ui->hint, "value", value,
		    "error", e, "required", (fd->flags & FIELD_REQUIRED) != 0,
		    "textarea", strcmp(input, "textarea") == 0, "select", strcmp(input, "select") == 0,
		    "checkbox", strcmp(input, "checkbox") == 0, "type", is_text ? input : NULL,
		    "autocomplete", "options", "locked", "maxlength");
		if (fd->max > 0 && (fd->type == FT_STRING || fd->type == FT_TEXT))
			json_object_set_new(o, "maxlength", json_integer(fd->max));
		json_object_set_new(o, "checked", json_boolean(checked));
		if (fd->type == FT_ENUM) {
			json_object_set_new(o, "options", choice_options(fd->choices));
			mark_selected(o);
		}
		json_array_append_new(view, o);
	}
	return view;
}

json_t *
form_view_field(json_t *view, const char *name)
{
	size_t i;
	json_t *o;
	json_array_foreach(view, i, o)
		if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
			return o;
	return NULL;
}

void
form_view_options(json_t *view, const char *name, json_t *options)
{
	json_t *o = form_view_field(view, name);
	if (o == NULL) {
		json_decref(options);
		return;
	}
	json_object_set_new(o, "options", options);
	mark_selected(o);
}

void
form_view_lock(json_t *view, const char *name, const char *note)
{
	json_t *o = form_view_field(view, name);
	if (o)
		json_object_set_new(o, "locked", json_string(note));
}
